/*
 * Code for a "write a function that ..." request, in the language asked for, with names taken
 * from the task: a working implementation for the tasks people try first (reverse a string,
 * palindromes, factorial, Fibonacci, primes, adding numbers, summing or sorting a list, counting
 * words, FizzBuzz, temperature conversion), a typed skeleton named after the task otherwise.
 */

export interface CodeTask {
  /** Display name of the language (`Python`, `TypeScript`, `SQL`). */
  language: string;
  /** The fence tag (`python`, `typescript`, `sql`). */
  fence: string;
  /** What the code does, as the request says it ("reverses a string"). */
  task: string;
  /** The function's name in the language's convention. */
  name: string;
  code: string;
}

interface Language {
  display: string;
  fence: string;
  pattern: RegExp;
  /** snake_case or camelCase or PascalCase names. */
  naming: 'snake' | 'camel' | 'pascal';
}

const LANGUAGES: Language[] = [
  { display: 'TypeScript', fence: 'typescript', pattern: /\b(typescript|ts)\b/i, naming: 'camel' },
  { display: 'JavaScript', fence: 'javascript', pattern: /\b(javascript|js|node(\.js)?)\b/i, naming: 'camel' },
  { display: 'Python', fence: 'python', pattern: /\b(python|py)\b/i, naming: 'snake' },
  { display: 'Java', fence: 'java', pattern: /\bjava\b/i, naming: 'camel' },
  { display: 'Go', fence: 'go', pattern: /\b(golang|in go|go (function|program|code|func))\b/i, naming: 'camel' },
  { display: 'Rust', fence: 'rust', pattern: /\brust\b/i, naming: 'snake' },
  { display: 'C++', fence: 'cpp', pattern: /(\bc\+\+|\bcpp\b)/i, naming: 'snake' },
  { display: 'C#', fence: 'csharp', pattern: /(\bc#|\bcsharp\b)/i, naming: 'pascal' },
  { display: 'C', fence: 'c', pattern: /\b(in|using) c\b(?![+#])/i, naming: 'snake' },
  { display: 'Ruby', fence: 'ruby', pattern: /\bruby\b/i, naming: 'snake' },
  { display: 'PHP', fence: 'php', pattern: /\bphp\b/i, naming: 'camel' },
  { display: 'Kotlin', fence: 'kotlin', pattern: /\bkotlin\b/i, naming: 'camel' },
  { display: 'Swift', fence: 'swift', pattern: /\bswift\b/i, naming: 'camel' },
  { display: 'Bash', fence: 'bash', pattern: /\b(bash|shell|sh script)\b/i, naming: 'snake' },
  { display: 'SQL', fence: 'sql', pattern: /\b(sql|postgres|mysql|sqlite)\b/i, naming: 'snake' },
];

/** The programming language a request names, or null. */
export function programmingLanguage(text: string): string | null {
  return LANGUAGES.find((l) => l.pattern.test(text))?.display ?? null;
}

const TASK = /\b(?:function|method|program|script|class|code|snippet|query|routine|func|one-liner)\b\s*(?:in \w+\s*)?(?:that|to|which|for|who|so it|that can)\s+([^.?!\n]{3,120})/i;
const FILLER = new Set(['a', 'an', 'the', 'given', 'of', 'in', 'into', 'from', 'with', 'all', 'each', 'every', 'two', 'some', 'my', 'any', 'if', 'whether', 'is', 'are', 'it', 'them', 'and', 'returns', 'return', 'me']);

/** What the code should do, from the request ("reverses a string"), or a plain description. */
export function codeTaskText(prompt: string): string {
  return thirdPerson(rawTask(prompt));
}

/** "parse dates" -> "parses dates": the task as "a function that ..." continues it. */
function thirdPerson(task: string): string {
  const [verb, ...rest] = task.split(' ');
  if (!/^[a-z]+$/.test(verb) || /s$/.test(verb) || ['can', 'will', 'should', 'must', 'may'].includes(verb)) return task;
  const conjugated = /(s|sh|ch|x|z|o)$/.test(verb) ? `${verb}es` : /[^aeiou]y$/.test(verb) ? `${verb.slice(0, -1)}ies` : `${verb}s`;
  return [conjugated, ...rest].join(' ');
}

function rawTask(prompt: string): string {
  const how = /\bhow (?:do|can|would|should) (?:i|you|we)\s+(.+?)\s+(?:in|with|using)\s+(?:python|javascript|typescript|java|go|golang|rust|ruby|php|c\+\+|c#|c|kotlin|swift|bash|sql)\b/i.exec(prompt);
  if (how) return how[1].trim();
  const m = TASK.exec(prompt);
  if (m) return m[1].trim().replace(/\s+(in|using|with) (python|javascript|typescript|java|go|golang|rust|ruby|php|c\+\+|c#|kotlin|swift|bash|sql)\s*$/i, '');
  const after = /\b(?:write|create|implement|generate|give me|show me)\s+(?:me\s+)?(?:a|an|some)?\s*([^.?!\n]{3,80})/i.exec(prompt);
  return after ? after[1].trim() : 'solves the task';
}

const base = (verb: string) => (verb.endsWith('ies') ? `${verb.slice(0, -3)}y` : verb.endsWith('es') && /(ss|sh|ch|x)es$/.test(verb) ? verb.slice(0, -2) : verb.endsWith('s') && !verb.endsWith('ss') ? verb.slice(0, -1) : verb);

function nameFrom(words: string[], naming: Language['naming']): string {
  const parts = words.length > 0 ? words : ['solve'];
  if (naming === 'snake') return parts.join('_');
  const camel = parts.map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('');
  return naming === 'pascal' ? camel[0].toUpperCase() + camel.slice(1) : camel;
}

function taskWords(task: string): string[] {
  const words = (task.toLowerCase().match(/[a-z][a-z0-9]*/g) ?? []).filter((w) => !FILLER.has(w)).slice(0, 3);
  if (words.length > 0) words[0] = base(words[0]);
  return words;
}

interface Recipe {
  test: RegExp;
  name: string[];
  code: Partial<Record<string, (name: string) => string>>;
}

const RECIPES: Recipe[] = [
  {
    test: /\brevers/i,
    name: ['reverse', 'string'],
    code: {
      Python: (n) => `def ${n}(text: str) -> str:\n    """Return text with its characters in reverse order."""\n    return text[::-1]\n\n\nprint(${n}("hello"))  # olleh`,
      JavaScript: (n) => `function ${n}(text) {\n  // Spread handles characters outside the BMP (emoji) correctly.\n  return [...text].reverse().join('');\n}\n\nconsole.log(${n}('hello')); // olleh`,
      TypeScript: (n) => `export function ${n}(text: string): string {\n  return [...text].reverse().join('');\n}\n\nconsole.log(${n}('hello')); // olleh`,
      Go: (n) => `func ${n}(s string) string {\n\tr := []rune(s)\n\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n\t\tr[i], r[j] = r[j], r[i]\n\t}\n\treturn string(r)\n}`,
      Rust: (n) => `fn ${n}(text: &str) -> String {\n    text.chars().rev().collect()\n}\n\nfn main() {\n    println!("{}", ${n}("hello")); // olleh\n}`,
      Java: (n) => `public static String ${n}(String text) {\n    return new StringBuilder(text).reverse().toString();\n}`,
    },
  },
  {
    test: /\bpalindrome/i,
    name: ['is', 'palindrome'],
    code: {
      Python: (n) => `def ${n}(text: str) -> bool:\n    """True if text reads the same backwards, ignoring case and non-letters."""\n    cleaned = [c.lower() for c in text if c.isalnum()]\n    return cleaned == cleaned[::-1]\n\n\nprint(${n}("A man, a plan, a canal: Panama"))  # True`,
      JavaScript: (n) => `function ${n}(text) {\n  const cleaned = text.toLowerCase().replace(/[^a-z0-9]/g, '');\n  return cleaned === [...cleaned].reverse().join('');\n}`,
      TypeScript: (n) => `export function ${n}(text: string): boolean {\n  const cleaned = text.toLowerCase().replace(/[^a-z0-9]/g, '');\n  return cleaned === [...cleaned].reverse().join('');\n}`,
      Go: (n) => `func ${n}(s string) bool {\n\tr := []rune(strings.ToLower(s))\n\tfor i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {\n\t\tif r[i] != r[j] {\n\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n}`,
      Rust: (n) => `fn ${n}(text: &str) -> bool {\n    let cleaned: Vec<char> = text.chars().filter(|c| c.is_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();\n    cleaned.iter().eq(cleaned.iter().rev())\n}`,
      Java: (n) => `public static boolean ${n}(String text) {\n    String cleaned = text.toLowerCase().replaceAll("[^a-z0-9]", "");\n    return new StringBuilder(cleaned).reverse().toString().equals(cleaned);\n}`,
    },
  },
  {
    test: /\bfactorial/i,
    name: ['factorial'],
    code: {
      Python: (n) => `def ${n}(n: int) -> int:\n    """Return n! for n >= 0."""\n    if n < 0:\n        raise ValueError("n must be non-negative")\n    result = 1\n    for k in range(2, n + 1):\n        result *= k\n    return result\n\n\nprint(${n}(5))  # 120`,
      JavaScript: (n) => `function ${n}(n) {\n  if (n < 0) throw new RangeError('n must be non-negative');\n  let result = 1n;\n  for (let k = 2n; k <= BigInt(n); k++) result *= k;\n  return result;\n}\n\nconsole.log(${n}(5)); // 120n`,
      TypeScript: (n) => `export function ${n}(n: number): bigint {\n  if (n < 0) throw new RangeError('n must be non-negative');\n  let result = 1n;\n  for (let k = 2n; k <= BigInt(n); k++) result *= k;\n  return result;\n}`,
      Go: (n) => `func ${n}(n uint64) uint64 {\n\tresult := uint64(1)\n\tfor k := uint64(2); k <= n; k++ {\n\t\tresult *= k\n\t}\n\treturn result\n}`,
      Rust: (n) => `fn ${n}(n: u64) -> u64 {\n    (1..=n).product()\n}`,
      Java: (n) => `public static long ${n}(int n) {\n    long result = 1;\n    for (int k = 2; k <= n; k++) result *= k;\n    return result;\n}`,
    },
  },
  {
    test: /\bfibonacci/i,
    name: ['fibonacci'],
    code: {
      Python: (n) => `def ${n}(count: int) -> list[int]:\n    """Return the first count Fibonacci numbers."""\n    sequence = []\n    a, b = 0, 1\n    for _ in range(count):\n        sequence.append(a)\n        a, b = b, a + b\n    return sequence\n\n\nprint(${n}(10))  # [0, 1, 1, 2, 3, 5, 8, 13, 21, 34]`,
      JavaScript: (n) => `function ${n}(count) {\n  const sequence = [];\n  let [a, b] = [0, 1];\n  for (let i = 0; i < count; i++) {\n    sequence.push(a);\n    [a, b] = [b, a + b];\n  }\n  return sequence;\n}`,
      TypeScript: (n) => `export function ${n}(count: number): number[] {\n  const sequence: number[] = [];\n  let [a, b] = [0, 1];\n  for (let i = 0; i < count; i++) {\n    sequence.push(a);\n    [a, b] = [b, a + b];\n  }\n  return sequence;\n}`,
      Go: (n) => `func ${n}(count int) []int {\n\tsequence := make([]int, 0, count)\n\ta, b := 0, 1\n\tfor i := 0; i < count; i++ {\n\t\tsequence = append(sequence, a)\n\t\ta, b = b, a+b\n\t}\n\treturn sequence\n}`,
      Rust: (n) => `fn ${n}(count: usize) -> Vec<u64> {\n    let mut sequence = Vec::with_capacity(count);\n    let (mut a, mut b) = (0u64, 1u64);\n    for _ in 0..count {\n        sequence.push(a);\n        (a, b) = (b, a + b);\n    }\n    sequence\n}`,
      Java: (n) => `public static List<Long> ${n}(int count) {\n    List<Long> sequence = new ArrayList<>();\n    long a = 0, b = 1;\n    for (int i = 0; i < count; i++) {\n        sequence.add(a);\n        long next = a + b;\n        a = b;\n        b = next;\n    }\n    return sequence;\n}`,
    },
  },
  {
    test: /\bprime/i,
    name: ['is', 'prime'],
    code: {
      Python: (n) => `def ${n}(n: int) -> bool:\n    """True if n is a prime number."""\n    if n < 2:\n        return False\n    k = 2\n    while k * k <= n:\n        if n % k == 0:\n            return False\n        k += 1\n    return True\n\n\nprint([x for x in range(20) if ${n}(x)])  # [2, 3, 5, 7, 11, 13, 17, 19]`,
      JavaScript: (n) => `function ${n}(n) {\n  if (n < 2) return false;\n  for (let k = 2; k * k <= n; k++) {\n    if (n % k === 0) return false;\n  }\n  return true;\n}\n\nconsole.log(${n}(17)); // true`,
      TypeScript: (n) => `export function ${n}(n: number): boolean {\n  if (n < 2) return false;\n  for (let k = 2; k * k <= n; k++) {\n    if (n % k === 0) return false;\n  }\n  return true;\n}`,
      Go: (n) => `func ${n}(n int) bool {\n\tif n < 2 {\n\t\treturn false\n\t}\n\tfor k := 2; k*k <= n; k++ {\n\t\tif n%k == 0 {\n\t\t\treturn false\n\t\t}\n\t}\n\treturn true\n}`,
      Rust: (n) => `fn ${n}(n: u64) -> bool {\n    n >= 2 && (2..).take_while(|k| k * k <= n).all(|k| n % k != 0)\n}`,
      Java: (n) => `public static boolean ${n}(int n) {\n    if (n < 2) return false;\n    for (int k = 2; (long) k * k <= n; k++) {\n        if (n % k == 0) return false;\n    }\n    return true;\n}`,
    },
  },
  {
    test: /\b(adds?|sum of) (two|2) numbers\b|\badds? two\b|\badd(s|ing)? numbers\b/i,
    name: ['add'],
    code: {
      Python: (n) => `def ${n}(a: float, b: float) -> float:\n    """Return the sum of a and b."""\n    return a + b\n\n\nprint(${n}(2, 3))  # 5`,
      JavaScript: (n) => `function ${n}(a, b) {\n  return a + b;\n}\n\nconsole.log(${n}(2, 3)); // 5`,
      TypeScript: (n) => `export function ${n}(a: number, b: number): number {\n  return a + b;\n}`,
      Go: (n) => `func ${n}(a, b int) int {\n\treturn a + b\n}`,
      Rust: (n) => `fn ${n}(a: i64, b: i64) -> i64 {\n    a + b\n}`,
      Java: (n) => `public static int ${n}(int a, int b) {\n    return a + b;\n}`,
    },
  },
  {
    test: /\bsum\b|\btotal\b/i,
    name: ['sum', 'list'],
    code: {
      Python: (n) => `def ${n}(numbers: list[float]) -> float:\n    """Return the sum of the numbers (0 for an empty list)."""\n    total = 0\n    for x in numbers:\n        total += x\n    return total`,
      JavaScript: (n) => `function ${n}(numbers) {\n  return numbers.reduce((total, x) => total + x, 0);\n}`,
      TypeScript: (n) => `export function ${n}(numbers: number[]): number {\n  return numbers.reduce((total, x) => total + x, 0);\n}`,
    },
  },
  {
    test: /\b(max|maximum|largest|biggest)\b/i,
    name: ['find', 'largest'],
    code: {
      Python: (n) => `def ${n}(numbers: list[float]) -> float:\n    """Return the largest number; raises ValueError for an empty list."""\n    if not numbers:\n        raise ValueError("empty list")\n    largest = numbers[0]\n    for x in numbers[1:]:\n        if x > largest:\n            largest = x\n    return largest`,
      JavaScript: (n) => `function ${n}(numbers) {\n  if (numbers.length === 0) throw new Error('empty list');\n  return numbers.reduce((a, b) => (b > a ? b : a));\n}`,
      TypeScript: (n) => `export function ${n}(numbers: number[]): number {\n  if (numbers.length === 0) throw new Error('empty list');\n  return numbers.reduce((a, b) => (b > a ? b : a));\n}`,
    },
  },
  {
    test: /\bsort/i,
    name: ['sort', 'list'],
    code: {
      Python: (n) => `def ${n}(items: list) -> list:\n    """Return a new list with the items in ascending order."""\n    return sorted(items)`,
      JavaScript: (n) => `function ${n}(items) {\n  // A copy: Array.prototype.sort sorts in place and compares as strings by default.\n  return [...items].sort((a, b) => a - b);\n}`,
      TypeScript: (n) => `export function ${n}(items: number[]): number[] {\n  return [...items].sort((a, b) => a - b);\n}`,
    },
  },
  {
    test: /\bcount(s|ing)? (the )?words\b|\bword count\b/i,
    name: ['count', 'words'],
    code: {
      Python: (n) => `from collections import Counter\n\n\ndef ${n}(text: str) -> Counter:\n    """Count how often each word occurs, ignoring case."""\n    return Counter(text.lower().split())\n\n\nprint(${n}("the cat and the hat"))  # Counter({'the': 2, 'cat': 1, 'and': 1, 'hat': 1})`,
      JavaScript: (n) => `function ${n}(text) {\n  const counts = new Map();\n  for (const word of text.toLowerCase().split(/\\s+/).filter(Boolean)) {\n    counts.set(word, (counts.get(word) ?? 0) + 1);\n  }\n  return counts;\n}`,
    },
  },
  {
    test: /\bfizz ?buzz\b/i,
    name: ['fizzbuzz'],
    code: {
      Python: (n) => `def ${n}(limit: int) -> None:\n    for i in range(1, limit + 1):\n        if i % 15 == 0:\n            print("FizzBuzz")\n        elif i % 3 == 0:\n            print("Fizz")\n        elif i % 5 == 0:\n            print("Buzz")\n        else:\n            print(i)`,
      JavaScript: (n) => `function ${n}(limit) {\n  for (let i = 1; i <= limit; i++) {\n    console.log(i % 15 === 0 ? 'FizzBuzz' : i % 3 === 0 ? 'Fizz' : i % 5 === 0 ? 'Buzz' : i);\n  }\n}`,
    },
  },
  {
    test: /\b(celsius|fahrenheit)\b/i,
    name: ['celsius', 'to', 'fahrenheit'],
    code: {
      Python: (n) => `def ${n}(celsius: float) -> float:\n    """Convert degrees Celsius to degrees Fahrenheit."""\n    return celsius * 9 / 5 + 32\n\n\nprint(${n}(100))  # 212.0`,
      JavaScript: (n) => `function ${n}(celsius) {\n  return (celsius * 9) / 5 + 32;\n}\n\nconsole.log(${n}(100)); // 212`,
    },
  },
];

/** The code for a request: a recipe when the task is a known one in a language it covers, else a skeleton. */
export function writeCode(prompt: string, defaultLanguage = 'Python'): CodeTask {
  const display = programmingLanguage(prompt) ?? defaultLanguage;
  const language = LANGUAGES.find((l) => l.display === display) ?? LANGUAGES[2];
  const task = codeTaskText(prompt);
  if (language.display === 'SQL') return { language: 'SQL', fence: 'sql', task, name: 'query', code: sqlFor(task) };
  const recipe = RECIPES.find((r) => r.test.test(task) || r.test.test(prompt));
  const recipeCode = recipe?.code[language.display];
  if (recipe && recipeCode) {
    const name = nameFrom(recipe.name, language.naming);
    return { language: language.display, fence: language.fence, task, name, code: recipeCode(name) };
  }
  const name = nameFrom(taskWords(task), language.naming);
  return { language: language.display, fence: language.fence, task, name, code: skeleton(language, name, task) };
}

function paramFor(task: string): string {
  if (/\b(string|text|word|sentence)\b/i.test(task)) return 'text';
  if (/\b(list|array|numbers|items)\b/i.test(task)) return 'items';
  if (/\b(file|path)\b/i.test(task)) return 'path';
  if (/\b(url|link)\b/i.test(task)) return 'url';
  if (/\b(number|integer|n)\b/i.test(task)) return 'n';
  if (/\bdates?\b/i.test(task)) return 'value';
  return 'value';
}

function skeleton(language: Language, name: string, task: string): string {
  const p = paramFor(task);
  const doc = task[0].toUpperCase() + task.slice(1).replace(/\.$/, '');
  switch (language.display) {
    case 'Python':
      return `def ${name}(${p}):\n    """${doc}."""\n    if ${p} is None:\n        raise ValueError("${p} is required")\n    result = ${p}\n    # The steps of the task go here; each one takes the previous result.\n    return result`;
    case 'JavaScript':
      return `/** ${doc}. */\nfunction ${name}(${p}) {\n  if (${p} == null) throw new TypeError('${p} is required');\n  const result = ${p};\n  // The steps of the task go here; each one takes the previous result.\n  return result;\n}\n\nmodule.exports = { ${name} };`;
    case 'TypeScript':
      return `/** ${doc}. */\nexport function ${name}<T>(${p}: T): T {\n  if (${p} == null) throw new TypeError('${p} is required');\n  const result = ${p};\n  // The steps of the task go here; each one takes the previous result.\n  return result;\n}`;
    case 'Go':
      return `// ${name} ${task.replace(/\.$/, '')}.\nfunc ${name}(${p} string) (string, error) {\n\tif ${p} == "" {\n\t\treturn "", errors.New("${p} is required")\n\t}\n\tresult := ${p}\n\treturn result, nil\n}`;
    case 'Rust':
      return `/// ${doc}.\nfn ${name}(${p}: &str) -> Result<String, String> {\n    if ${p}.is_empty() {\n        return Err("${p} is required".to_string());\n    }\n    let result = ${p}.to_string();\n    Ok(result)\n}`;
    case 'Java':
    case 'C#':
    case 'Kotlin':
    case 'Swift':
    case 'PHP':
      return cLike(language.display, name, p, doc);
    case 'C':
    case 'C++':
      return `// ${doc}.\nint ${name}(int ${p === 'value' ? 'n' : p}) {\n    int result = ${p === 'value' ? 'n' : p};\n    return result;\n}`;
    case 'Ruby':
      return `# ${doc}.\ndef ${name}(${p})\n  raise ArgumentError, "${p} is required" if ${p}.nil?\n\n  result = ${p}\n  result\nend`;
    case 'Bash':
      return `#!/usr/bin/env bash\nset -euo pipefail\n\n# ${doc}.\n${name}() {\n  local ${p}="$1"\n  echo "\${${p}}"\n}\n\n${name} "$@"`;
    default:
      return `// ${doc}.`;
  }
}

function cLike(display: string, name: string, p: string, doc: string): string {
  switch (display) {
    case 'Java':
      return `/** ${doc}. */\npublic static String ${name}(String ${p}) {\n    if (${p} == null) throw new IllegalArgumentException("${p} is required");\n    String result = ${p};\n    return result;\n}`;
    case 'C#':
      return `/// <summary>${doc}.</summary>\npublic static string ${name}(string ${p})\n{\n    if (${p} is null) throw new ArgumentNullException(nameof(${p}));\n    var result = ${p};\n    return result;\n}`;
    case 'Kotlin':
      return `/** ${doc}. */\nfun ${name}(${p}: String): String {\n    require(${p}.isNotEmpty()) { "${p} is required" }\n    val result = ${p}\n    return result\n}`;
    case 'Swift':
      return `/// ${doc}.\nfunc ${name}(_ ${p}: String) -> String {\n    let result = ${p}\n    return result\n}`;
    default:
      return `<?php\n\n/** ${doc}. */\nfunction ${name}($${p}) {\n    if ($${p} === null) {\n        throw new InvalidArgumentException('${p} is required');\n    }\n    $result = $${p};\n    return $result;\n}`;
  }
}

/** A query for "counts users by country", "top 5 products by revenue", "all orders from 2024". */
function sqlFor(task: string): string {
  const table = /\b(users|customers|orders|products|employees|accounts|sales|invoices|posts|comments|events|items)\b/i.exec(task)?.[1].toLowerCase() ?? 'records';
  const by = /\bby ([a-z_]+)/i.exec(task)?.[1].toLowerCase();
  const top = /\btop (\d+)/i.exec(task)?.[1];
  if (by && /\b(count|number|how many)/i.test(task)) {
    return `SELECT ${by}, COUNT(*) AS ${table.replace(/s$/, '')}_count\nFROM ${table}\nGROUP BY ${by}\nORDER BY ${table.replace(/s$/, '')}_count DESC${top ? `\nLIMIT ${top}` : ''};`;
  }
  if (by) return `SELECT *\nFROM ${table}\nORDER BY ${by} DESC${top ? `\nLIMIT ${top}` : '\nLIMIT 10'};`;
  if (/\b(count|how many)/i.test(task)) return `SELECT COUNT(*) AS total\nFROM ${table};`;
  return `SELECT *\nFROM ${table}\nWHERE created_at >= CURRENT_DATE - INTERVAL '30 days'\nORDER BY created_at DESC\nLIMIT ${top ?? 10};`;
}
