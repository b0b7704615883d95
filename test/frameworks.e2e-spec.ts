import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { AIMessage, BaseMessage, HumanMessage } from '@langchain/core/messages';
import { tool as langchainTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { bootApp, TestApp } from './support/app';

/*
 * Agent frameworks against the real app with the bundled patterns, as a new user would try them:
 * each leaves `tool_choice` at its default (auto), runs the tools itself, and expects the model to
 * call the right tool with the place from the question, then answer with the tool's result.
 */

const MODEL = 'mistralai/Mistral-7B-Instruct-v0.3';
const WEATHER = { temperature: 22, condition: 'sunny', humidity: 61 };

describe('agent frameworks (real clients, auto tool choice)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await bootApp();
  });
  afterAll(async () => {
    await app.close();
  });

  describe('Vercel AI SDK 6 (@ai-sdk/openai-compatible 2)', () => {
    const provider = () => createOpenAICompatible({ name: 'vllm', baseURL: `${app.url}/v1`, apiKey: 'unused' });
    const tools = {
      getWeather: tool({
        description: 'Get the current weather for a city',
        inputSchema: z.object({ city: z.string().describe('The city name'), unit: z.enum(['celsius', 'fahrenheit']).optional() }),
        execute: async (args) => ({ city: args.city, ...WEATHER }),
      }),
    };

    it('multi-step generateText calls the tool with the city, then ends with text that contains the result', async () => {
      const result = await generateText({ model: provider()(MODEL), tools, stopWhen: stepCountIs(5), prompt: 'What is the weather in Paris right now?' });
      expect(result.steps.length).toBe(2);
      expect(result.steps[0].toolCalls.map((c) => [c.toolName, (c.input as { city: string }).city])).toEqual([['getWeather', 'Paris']]);
      expect(result.steps[1].toolCalls).toEqual([]);
      expect(result.finishReason).toBe('stop');
      for (const fact of ['22', 'sunny', 'Paris']) expect(result.text).toContain(fact);
    });

    it('streamText runs the same loop over SSE', async () => {
      const result = streamText({ model: provider()(MODEL), tools, stopWhen: stepCountIs(5), prompt: 'Is it raining in Tokyo?' });
      const text = await result.text;
      const steps = await result.steps;
      expect(steps[0].toolCalls.map((c) => (c.input as { city: string }).city)).toEqual(['Tokyo']);
      expect(text).toContain('22');
    });

    it('generateObject (json_schema) gives an object its zod schema accepts, with sane values and the city asked for', async () => {
      const structured = createOpenAICompatible({ name: 'vllm', baseURL: `${app.url}/v1`, apiKey: 'unused', supportsStructuredOutputs: true });
      const schema = z.object({ name: z.string(), age: z.number().int(), email: z.string().email(), city: z.string(), skills: z.array(z.string()).min(1) });
      const { object } = await generateObject({ model: structured(MODEL), schema, prompt: 'Generate a user profile for a developer from Berlin' });
      expect(schema.parse(object)).toEqual(object);
      expect(object.age).toBeGreaterThanOrEqual(18);
      expect(object.age).toBeLessThanOrEqual(80);
      expect(object.city).toBe('Berlin');
    });

    it('answers a greeting with text and no tool call', async () => {
      const result = await generateText({ model: provider()(MODEL), tools, stopWhen: stepCountIs(5), prompt: 'hello' });
      expect(result.steps).toHaveLength(1);
      expect(result.toolCalls).toEqual([]);
      expect(result.text).toMatch(/\b(hello|hi|hey)\b/i);
    });
  });

  describe('LangChain (@langchain/openai 1.4)', () => {
    const getWeather = langchainTool(async ({ location }) => JSON.stringify({ location, ...WEATHER }), {
      name: 'get_weather',
      description: 'Get the current weather in a given location',
      schema: z.object({ location: z.string().describe('The city, e.g. San Francisco') }),
    });
    const model = () => new ChatOpenAI({ model: MODEL, apiKey: 'unused', configuration: { baseURL: `${app.url}/v1` }, maxRetries: 0 });

    it('bindTools(...).invoke calls get_weather with Paris for the Paris question, and no tool for "hello"', async () => {
      const bound = model().bindTools([getWeather]);
      const paris = (await bound.invoke('What is the weather in Paris?')) as AIMessage;
      expect(paris.tool_calls?.map((c) => [c.name, c.args.location])).toEqual([['get_weather', 'Paris']]);
      const hello = (await bound.invoke('hello')) as AIMessage;
      expect(hello.tool_calls ?? []).toEqual([]);
      expect(String(hello.content)).toMatch(/\b(hello|hi|hey)\b/i);
    });

    it('a manual agent loop ends with an answer that uses the tool result', async () => {
      const bound = model().bindTools([getWeather]);
      const messages: BaseMessage[] = [new HumanMessage('How warm is it in Berlin?')];
      for (let step = 0; step < 4; step++) {
        const reply = (await bound.invoke(messages)) as AIMessage;
        messages.push(reply);
        if (!reply.tool_calls || reply.tool_calls.length === 0) break;
        for (const call of reply.tool_calls) messages.push(await getWeather.invoke(call));
      }
      const last = messages[messages.length - 1] as AIMessage;
      expect(last.tool_calls ?? []).toEqual([]);
      expect(String(last.content)).toContain('22');
      expect(String(last.content)).toContain('Berlin');
    });
  });

  describe('openai 6 runTools()', () => {
    it('runs the tool and completes with a final answer built from its result', async () => {
      const calls: unknown[] = [];
      const runner = app.openai.chat.completions.runTools({
        model: MODEL,
        messages: [{ role: 'user', content: 'What is the weather like in Madrid today?' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              description: 'Get the weather for a city',
              parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
              parse: JSON.parse,
              function: (args: { city: string }) => {
                calls.push(args);
                return { city: args.city, ...WEATHER };
              },
            },
          },
        ],
      });
      const content = await runner.finalContent();
      expect(calls).toEqual([{ city: 'Madrid' }]);
      expect(content).toContain('22');
      expect(content).toContain('Madrid');
    });
  });
});
