import { arithmeticIn, formatNumber } from './arithmetic';
import { codeTaskText, programmingLanguage, writeCode } from './code-writer';
import { knownFact, translation } from './knowledge';
import { renderTemplate } from './reply-template';
import { replyValues, subjectOfQuestion, topicOf } from './reply-values';
import { summarizeText, textToSummarize } from './summarize';

describe('arithmeticIn', () => {
  it.each<[string, string, string]>([
    ['What is 2+2?', '2 + 2', '4'],
    ['what is 12 * 7?', '12 * 7', '84'],
    ['Calculate (3 + 4) * 5', '(3 + 4) * 5', '35'],
    ['How much is 7 times 8?', '7 * 8', '56'],
    ['What is 100 minus 37?', '100 - 37', '63'],
    ['what is 10 divided by 4', '10 / 4', '2.5'],
    ['what is 0.1 + 0.2', '0.1 + 0.2', '0.3'],
    ['What is 2^10?', '2 ^ 10', '1024'],
    ['what is -3 + 5?', '-3 + 5', '2'],
    ['Calculate 15% of 80', '15% of 80', '12'],
    ['What is the square root of 144?', '√144', '12'],
    ['what is 9 squared', '9 squared', '81'],
  ])('%j -> %s = %s', (prompt, expression, answer) => {
    const found = arithmeticIn(prompt)!;
    expect(found.expression).toBe(expression);
    expect(formatNumber(found.value)).toBe(answer);
  });

  it('solves a linear equation for its unknown', () => {
    expect(arithmeticIn('solve 3x + 7 = 22')).toMatchObject({ unknown: 'x', value: 5 });
    expect(arithmeticIn('2y - 4 = 10')).toMatchObject({ unknown: 'y', value: 7 });
  });

  it('finds nothing in ordinary text, and refuses what has no finite value', () => {
    for (const text of ['hello', 'price = 20', 'version 1.2.3', 'on 2024-05-01', '1/0', 'Is it 9 to 5?']) expect(arithmeticIn(text)).toBeNull();
  });
});

describe('renderTemplate', () => {
  const values = replyValues('Write a poem about the sea', { city: 'Oslo', 1: 'first' });

  it('fills known names, capitalises {{Name}}, keeps unknown ones and literal braces', () => {
    expect(renderTemplate('A poem about {{topic}} in {{city}} ({{1}})', values)).toBe('A poem about the sea in Oslo (first)');
    expect(renderTemplate('**{{Topic}}**', values)).toBe('**The sea**');
    expect(renderTemplate('{{ unknown_thing }} and {% raw %}', values)).toBe('{{ unknown_thing }} and {% raw %}');
  });

  it('a missing value makes the reply ineligible unless it has a default; {{^name}} asks for its absence', () => {
    expect(renderTemplate('The answer is {{answer}}.', values)).toBeNull();
    expect(renderTemplate('The answer is {{answer|unknown}}.', values)).toBe('The answer is unknown.');
    expect(renderTemplate('{{^answer}}No numbers here.', values)).toBe('No numbers here.');
    expect(renderTemplate('{{^topic}}No topic.', values)).toBeNull();
  });
});

describe('reply values', () => {
  it.each<[string, string]>([
    ['Write a poem about the sea', 'the sea'],
    ['Explain how photosynthesis works', 'how photosynthesis works'],
    ['Why is the sky blue?', 'why the sky is blue'],
    ['How does a compiler work?', 'how a compiler work'],
    ['Give me tips on public speaking', 'public speaking'],
  ])('topic of %j is %j', (prompt, topic) => {
    expect(topicOf(prompt)).toBe(topic);
  });

  it('the subject of a question restates what it asks about', () => {
    expect(subjectOfQuestion('What is the capital of France?')).toBe('the capital of France');
    expect(subjectOfQuestion('Who wrote Hamlet?')).toBe('wrote Hamlet');
    expect(subjectOfQuestion('Tell me about Kubernetes')).toBe('Kubernetes');
  });

  it('knows capitals and common phrases, and nothing it cannot be sure of', () => {
    expect(knownFact('What is the capital of Japan?')).toBe('The capital of Japan is Tokyo.');
    expect(knownFact('what is the capital of the united states?')).toBe('The capital of the United States is Washington, D.C.');
    expect(knownFact('What is the capital of Atlantis?')).toBeNull();
    expect(translation('Translate "good morning" into French')).toEqual({ phrase: 'good morning', translation: 'Bonjour' });
    expect(translation('How do I say thank you in Spanish?')).toEqual({ phrase: 'thank you', translation: 'Gracias' });
    expect(translation('Translate my essay into German')).toBeNull();
  });

  it('summaries come from the text given, or there is none', () => {
    const prompt = 'Summarize this: Rust is a systems language. It has no garbage collector. Memory safety comes from ownership and borrowing. Many teams adopt it for safety.';
    const text = textToSummarize(prompt)!;
    expect(text.startsWith('Rust is a systems language.')).toBe(true);
    const summary = summarizeText(text);
    expect(summary.startsWith('Rust is a systems language.')).toBe(true);
    expect(text).toContain(summary.split('. ')[1].replace(/\.$/, ''));
    expect(textToSummarize('Can you summarize an article for me?')).toBeNull();
  });
});

describe('writeCode', () => {
  it('writes the asked language with names from the task', () => {
    expect(writeCode('Write a python function that reverses a string')).toMatchObject({ language: 'Python', name: 'reverse_string', task: 'reverses a string' });
    expect(writeCode('Write a JavaScript function to check if a number is prime')).toMatchObject({ language: 'JavaScript', name: 'isPrime' });
    expect(writeCode('write a Go function that adds two numbers').code).toContain('func add(a, b int) int');
    expect(writeCode('Write a Rust function that computes the factorial').code).toContain('fn factorial(n: u64) -> u64');
    expect(writeCode('Write a C# method that parses dates')).toMatchObject({ language: 'C#', name: 'ParseDates' });
    expect(writeCode('write a function to parse dates')).toMatchObject({ language: 'Python', name: 'parse_dates', task: 'parses dates' });
    expect(writeCode('Write a SQL query that counts orders by status').code).toContain('GROUP BY status');
  });

  it('reads the language and the task as people write them', () => {
    expect(programmingLanguage('in typescript please')).toBe('TypeScript');
    expect(programmingLanguage('a java class')).toBe('Java');
    expect(programmingLanguage('some javascript')).toBe('JavaScript');
    expect(programmingLanguage('nothing here')).toBeNull();
    expect(codeTaskText('How do I read a file in Rust?')).toBe('reads a file');
  });
});
