import { Random } from '../../common/random';
import { ToolDefinition, ToolOffer } from './responses.types';
import { chooseTool, toolNamedIn } from './tool-choice';

const weather: ToolDefinition = { name: 'get_weather', parameters: { type: 'object' } };
const search: ToolDefinition = { name: 'web-search' };
const offer = (choice: ToolOffer['choice']): ToolOffer => ({ tools: [weather, search], choice });
const rng = () => new Random(3);

describe('chooseTool', () => {
  it('never calls without an offer or with no tools', () => {
    expect(chooseTool(undefined, { prompt: 'get_weather please', patternToolCall: true }, rng())).toBeNull();
    expect(chooseTool({ tools: [], choice: 'required' }, { prompt: 'x' }, rng())).toBeNull();
  });

  it('calls the named function whatever the prompt and pattern say', () => {
    expect(chooseTool(offer({ name: 'web-search' }), { prompt: 'get_weather', patternToolCall: 'get_weather' }, rng())).toBe(search);
  });

  it('required: always calls, preferring the pattern, then the prompt', () => {
    expect(chooseTool(offer('required'), { prompt: 'hello' }, rng())).not.toBeNull();
    expect(chooseTool(offer('required'), { prompt: 'do a web search' }, rng())).toBe(search);
    expect(chooseTool(offer('required'), { prompt: 'do a web search', patternToolCall: 'get_weather' }, rng())).toBe(weather);
  });

  it('auto: calls only when the prompt names a tool or the pattern says so', () => {
    expect(chooseTool(offer('auto'), { prompt: 'tell me a story' }, rng())).toBeNull();
    expect(chooseTool(offer('auto'), { prompt: 'Use get_weather for Paris' }, rng())).toBe(weather);
    expect(chooseTool(offer('auto'), { prompt: 'tell me a story', patternToolCall: true }, rng())).not.toBeNull();
    expect(chooseTool(offer('auto'), { prompt: 'tell me a story', patternToolCall: 'web-search' }, rng())).toBe(search);
    // A pattern naming a tool that is not offered answers with text.
    expect(chooseTool(offer('auto'), { prompt: 'tell me a story', patternToolCall: 'book_flight' }, rng())).toBeNull();
    expect(chooseTool(offer('auto'), { prompt: 'tell me a story', patternToolCall: false }, rng())).toBeNull();
  });

  it('picks among the tools by seed', () => {
    const picks = new Set(Array.from({ length: 20 }, (_, s) => chooseTool(offer('required'), { prompt: 'hi' }, new Random(s))?.name));
    expect(picks).toEqual(new Set(['get_weather', 'web-search']));
  });
});

describe('toolNamedIn', () => {
  it('matches the name as written or with separators as spaces, as a whole word', () => {
    expect(toolNamedIn([weather], 'call GET_WEATHER now')).toBe(weather);
    expect(toolNamedIn([weather], 'can you get  weather in Rome?')).toBe(weather);
    expect(toolNamedIn([weather], 'forget_weathering')).toBeNull();
    expect(toolNamedIn([search], 'a web search')).toBe(search);
  });
});
