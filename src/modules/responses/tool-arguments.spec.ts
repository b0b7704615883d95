import { Random } from '../../common/random';
import { schemaInConversation } from './json-object';
import { sampleJson } from './json-schema-sample';
import { ConversationTurn } from './responses.types';
import { factsOf, placesIn } from './text-facts';
import { argumentHints, subjectOf } from './tool-arguments';
import { answerFromResults, endsWithToolResult, toolResultsSinceLastUser } from './tool-results';

const TODAY = new Date('2025-03-10T12:00:00Z');

describe('factsOf', () => {
  it('finds places in order: known names (several words too), and capitalised names after a preposition', () => {
    expect(placesIn('Weather in New York and São Paulo, then Reykjavik?')).toEqual(['New York', 'São Paulo']);
    expect(placesIn('flights from Springfield to Paris')).toEqual(['Springfield', 'Paris']);
    expect(placesIn('I want to go in March')).toEqual([]);
    expect(placesIn('the paris agreement')).toEqual([]);
  });

  it('finds numbers with the words around them, dates, quoted strings, e-mails and links', () => {
    const facts = factsOf('Book 2 rooms for 3 nights from March 14 or tomorrow, "sea view", mail bob@example.com, see https://example.com/x.', TODAY);
    expect(facts.numbers.map((n) => [n.value, n.after])).toEqual([
      [2, 'rooms'],
      [3, 'nights'],
      [14, 'or'],
    ]);
    expect(facts.dates).toEqual(['2025-03-14', '2025-03-11']);
    expect(facts.quoted).toEqual(['sea view']);
    expect(facts.emails).toEqual(['bob@example.com']);
    expect(facts.urls).toEqual(['https://example.com/x']);
  });
});

describe('argumentHints', () => {
  const schema = {
    type: 'object',
    properties: {
      location: { type: 'string' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      days: { type: 'integer', minimum: 1, maximum: 14 },
      origin: { type: 'string' },
      destination: { type: 'string' },
      query: { type: 'string' },
      date: { type: 'string', format: 'date' },
    },
    required: ['location', 'unit', 'days', 'origin', 'destination', 'query', 'date'],
  };
  const fill = (message: string, placeIndex = 0, earlier: string[] = []) =>
    sampleJson(schema, new Random(1), { hint: argumentHints({ message, placeIndex, earlier }) }) as Record<string, unknown>;

  it('fills parameters from the message where the schema allows the value', () => {
    const args = fill('Fly from Berlin to Lisbon on 2025-06-01 for 5 days, temperatures in fahrenheit');
    expect(args).toMatchObject({ origin: 'Berlin', destination: 'Lisbon', location: 'Berlin', unit: 'fahrenheit', days: 5, date: '2025-06-01' });
    // 30 days is beyond the schema's maximum: generated instead.
    expect((fill('weather in Oslo for 30 days').days as number) <= 14).toBe(true);
  });

  it('takes the k-th place for the k-th call, and facts from earlier turns when the message has none', () => {
    expect(fill('weather in Paris and Rome', 1).location).toBe('Rome');
    expect(fill('and for 3 days?', 0, ['What is the weather in Kyoto?'])).toMatchObject({ location: 'Kyoto', days: 3 });
  });

  it('a query gets the quoted text, else the subject of the message', () => {
    expect(fill('search for "vector databases" please').query).toBe('vector databases');
    expect(subjectOf('Can you search the web for the best pizza in Naples?')).toBe('the best pizza in Naples');
    expect(subjectOf('What is the tallest building?')).toBe('tallest building');
  });
});

describe('tool results', () => {
  const turns: ConversationTurn[] = [
    { role: 'user', content: 'weather in Paris and Tokyo?' },
    {
      role: 'assistant',
      content: '',
      toolCalls: [
        { id: 'a', name: 'get_weather', arguments: '{"location": "Paris"}' },
        { id: 'b', name: 'get_weather', arguments: '{"location": "Tokyo"}' },
      ],
    },
    { role: 'tool', toolCallId: 'b', content: '{"temperature": 26, "sky": {"condition": "clear"}}' },
    { role: 'tool', toolCallId: 'a', content: 'Light rain, 14 degrees' },
  ];

  it('pairs each result with its call by tool_call_id and reports every value', () => {
    expect(endsWithToolResult(turns)).toBe(true);
    const results = toolResultsSinceLastUser(turns);
    expect(results.map((r) => [r.name, r.args.location])).toEqual([
      ['get_weather', 'Tokyo'],
      ['get_weather', 'Paris'],
    ]);
    const answer = answerFromResults(results, new Random(1));
    for (const fact of ['Tokyo', '26', 'clear', 'Paris', 'Light rain, 14 degrees']) expect(answer).toContain(fact);
  });

  it('results before the last user message are not this turn\'s', () => {
    expect(toolResultsSinceLastUser([...turns, { role: 'user', content: 'thanks' }])).toEqual([]);
    expect(endsWithToolResult([...turns, { role: 'user', content: 'thanks' }])).toBe(false);
  });
});

describe('schemaInConversation (json_object)', () => {
  it('finds a JSON schema in the system message, wrapped or not', () => {
    const schema = { type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] };
    expect(schemaInConversation([{ role: 'system', content: `Reply as JSON: ${JSON.stringify(schema)} and nothing else.` }, { role: 'user', content: 'go' }])).toEqual(schema);
    expect(schemaInConversation([{ role: 'system', content: JSON.stringify({ name: 'x', schema }) }])).toEqual(schema);
  });

  it('else the fields the message lists, typed by name; else nothing', () => {
    expect(schemaInConversation([{ role: 'user', content: 'a JSON object with the fields title, year and tags' }])).toEqual({
      type: 'object',
      properties: { title: { type: 'string' }, year: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 4 } },
      required: ['title', 'year', 'tags'],
    });
    expect(schemaInConversation([{ role: 'user', content: 'answer in JSON please' }])).toBeNull();
  });
});
