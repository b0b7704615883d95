import { Random } from '../../common/random';
import { ConversationTurn, ToolDefinition, ToolOffer } from './responses.types';
import { chooseToolCalls, ToolContext } from './tool-choice';
import { relevance, RELEVANT, splitName, toolNamedIn } from './tool-relevance';

const weather: ToolDefinition = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { enum: ['celsius', 'fahrenheit'] } }, required: ['location'] },
};
const search: ToolDefinition = { name: 'web-search', description: 'Search the web', parameters: { type: 'object', properties: { query: { type: 'string' } } } };
const time: ToolDefinition = { name: 'getCurrentTime', description: 'The local time in a timezone', parameters: { type: 'object', properties: { timezone: { type: 'string' } } } };
const offer = (choice: ToolOffer['choice'], tools = [weather, search]): ToolOffer => ({ tools, choice });
const rng = () => new Random(3);
const names = (o: ToolOffer | undefined, context: ToolContext) => chooseToolCalls(o, context, rng()).map((c) => `${c.tool.name}#${c.placeIndex}`);

describe('chooseToolCalls', () => {
  it('never calls without an offer or with no tools', () => {
    expect(names(undefined, { prompt: 'get_weather please', patternToolCall: true })).toEqual([]);
    expect(names({ tools: [], choice: 'required' }, { prompt: 'x' })).toEqual([]);
  });

  it('calls the named function whatever the prompt and pattern say', () => {
    expect(names(offer({ name: 'web-search' }), { prompt: 'get_weather', patternToolCall: 'get_weather' })).toEqual(['web-search#0']);
  });

  it('auto: calls a tool the message is about (name words, synonyms, description), else answers in text', () => {
    expect(names(offer('auto'), { prompt: 'What is the weather in Paris?' })).toEqual(['get_weather#0']);
    expect(names(offer('auto'), { prompt: 'Will it rain in Tokyo tomorrow?' })).toEqual(['get_weather#0']);
    expect(names(offer('auto'), { prompt: 'Use get_weather for Paris' })).toEqual(['get_weather#0']);
    expect(names(offer('auto'), { prompt: 'Can you look up the release notes online?' })).toEqual(['web-search#0']);
    expect(names(offer('auto', [time]), { prompt: 'What time is it in Tokyo?' })).toEqual(['getCurrentTime#0']);
    for (const prompt of ['hello', 'hi there!', 'tell me a story', 'Write a python function that reverses a string', 'thanks!']) {
      expect(names(offer('auto', [weather, search, time]), { prompt })).toEqual([]);
    }
  });

  it('auto: a pattern with tool_call calls its tool (or, with true, the named or a seeded one)', () => {
    expect(names(offer('auto'), { prompt: 'tell me a story', patternToolCall: 'web-search' })).toEqual(['web-search#0']);
    expect(names(offer('auto'), { prompt: 'tell me a story', patternToolCall: true })).toHaveLength(1);
    // A pattern naming a tool that is not offered answers with text.
    expect(names(offer('auto'), { prompt: 'tell me a story', patternToolCall: 'book_flight' })).toEqual([]);
  });

  it('parallel calls: several tools, one call per place for a tool that takes one place; parallel_tool_calls false keeps one', () => {
    const prompt = 'What is the weather in Paris and London, and what time is it there?';
    expect(names(offer('auto', [weather, time]), { prompt })).toEqual(['get_weather#0', 'get_weather#1', 'getCurrentTime#0']);
    expect(names(offer('auto', [weather, time]), { prompt, parallel: false })).toEqual(['get_weather#0']);
  });

  const afterCall = (calls: Array<{ name: string; arguments: string }>, results: string[]): ConversationTurn[] => [
    { role: 'user', content: 'What is the weather in Paris and London?' },
    { role: 'assistant', content: '', toolCalls: calls.map((c, i) => ({ id: `call_${i}`, ...c })) },
    ...results.map((content, i) => ({ role: 'tool', content, toolCallId: `call_${i}` })),
  ];

  it('after the results of every call asked for, auto answers in text; one call at a time goes on with the next', () => {
    const prompt = 'What is the weather in Paris and London?';
    const both = afterCall(
      [
        { name: 'get_weather', arguments: '{"location": "Paris"}' },
        { name: 'get_weather', arguments: '{"location": "London"}' },
      ],
      ['{"temp": 21}', '{"temp": 17}'],
    );
    expect(names(offer('auto'), { prompt, turns: both })).toEqual([]);
    const one = afterCall([{ name: 'get_weather', arguments: '{"location": "Paris"}' }], ['{"temp": 21}']);
    expect(names(offer('auto'), { prompt, turns: one, parallel: false })).toEqual(['get_weather#1']);
  });

  it('required never answers in text: with nothing left to call, it calls the most relevant tool again', () => {
    const turns = afterCall([{ name: 'get_weather', arguments: '{"location": "Paris"}' }], ['{"temp": 21}']);
    expect(names(offer('required'), { prompt: 'What is the weather in Paris?', turns })).toEqual(['get_weather#0']);
    expect(names(offer('required'), { prompt: 'hello' })).toHaveLength(1);
    const picks = new Set(Array.from({ length: 20 }, (_, s) => chooseToolCalls(offer('required'), { prompt: 'hi' }, new Random(s))[0].tool.name));
    expect(picks).toEqual(new Set(['get_weather', 'web-search']));
  });

  it('a short follow-up naming a place calls the tool the previous question called', () => {
    const turns: ConversationTurn[] = [
      ...afterCall([{ name: 'get_weather', arguments: '{"location": "Paris"}' }], ['{"temp": 21}']),
      { role: 'assistant', content: 'It is 21 degrees in Paris.' },
      { role: 'user', content: 'And in Berlin?' },
    ];
    expect(names(offer('auto'), { prompt: 'And in Berlin?', turns })).toEqual(['get_weather#0']);
    expect(names(offer('auto'), { prompt: 'thanks a lot', turns: [...turns.slice(0, -1), { role: 'user', content: 'thanks a lot' }] })).toEqual([]);
  });
});

describe('relevance and names', () => {
  it('splits function names into words', () => {
    expect(splitName('getCurrentWeather')).toEqual(['get', 'current', 'weather']);
    expect(splitName('search_docs-v2')).toEqual(['search', 'docs', 'v2']);
    expect(splitName('HTTPRequest')).toEqual(['http', 'request']);
  });

  it('scores name words over description words, and unrelated messages at zero', () => {
    expect(relevance(weather, 'weather tomorrow?')).toBeGreaterThanOrEqual(RELEVANT);
    expect(relevance(weather, 'hello there')).toBe(0);
    expect(relevance(weather, 'what is the forecast')).toBeGreaterThanOrEqual(RELEVANT);
  });

  it('toolNamedIn matches the name as written or with separators as spaces, as a whole word', () => {
    expect(toolNamedIn([weather], 'call GET_WEATHER now')).toBe(weather);
    expect(toolNamedIn([weather], 'can you get  weather in Rome?')).toBe(weather);
    expect(toolNamedIn([weather], 'forget_weathering')).toBeNull();
    expect(toolNamedIn([search], 'a web search')).toBe(search);
  });
});
