/*
 * The little a simulated model knows for certain: capitals (so "What is the capital of France?"
 * is answered right) and a phrasebook of everyday phrases for translation requests. Everything
 * else is answered by the pattern templates without claiming a fact.
 */

const CAPITALS: Record<string, string> = {
  france: 'Paris',
  germany: 'Berlin',
  spain: 'Madrid',
  italy: 'Rome',
  portugal: 'Lisbon',
  'united kingdom': 'London',
  uk: 'London',
  england: 'London',
  ireland: 'Dublin',
  netherlands: 'Amsterdam',
  belgium: 'Brussels',
  austria: 'Vienna',
  switzerland: 'Bern',
  poland: 'Warsaw',
  greece: 'Athens',
  sweden: 'Stockholm',
  norway: 'Oslo',
  denmark: 'Copenhagen',
  finland: 'Helsinki',
  russia: 'Moscow',
  ukraine: 'Kyiv',
  turkey: 'Ankara',
  egypt: 'Cairo',
  kenya: 'Nairobi',
  nigeria: 'Abuja',
  'south africa': 'Pretoria',
  japan: 'Tokyo',
  china: 'Beijing',
  india: 'New Delhi',
  'south korea': 'Seoul',
  korea: 'Seoul',
  thailand: 'Bangkok',
  vietnam: 'Hanoi',
  indonesia: 'Jakarta',
  australia: 'Canberra',
  'new zealand': 'Wellington',
  canada: 'Ottawa',
  'united states': 'Washington, D.C.',
  usa: 'Washington, D.C.',
  america: 'Washington, D.C.',
  mexico: 'Mexico City',
  brazil: 'Brasília',
  argentina: 'Buenos Aires',
  chile: 'Santiago',
  peru: 'Lima',
  colombia: 'Bogotá',
};

/** "the capital of France" -> "The capital of France is Paris." (null when unknown). */
export function knownFact(question: string): string | null {
  const m = /\bcapital (?:city )?of ([\p{L} .]+?)\s*(?:\?|$|\.|,)/iu.exec(question);
  if (!m) return null;
  const country = m[1].trim().replace(/^the\s+/i, '');
  const capital = CAPITALS[country.toLowerCase()];
  if (!capital) return null;
  const name = country
    .split(' ')
    .map((w) => (w.length <= 3 && w === w.toUpperCase() ? w : w[0].toUpperCase() + w.slice(1)))
    .join(' ');
  const article = /^(united|netherlands|uk|usa)\b/i.test(name) ? 'the ' : '';
  return `The capital of ${article}${name} is ${capital}${capital.endsWith('.') ? '' : '.'}`;
}

const LANGUAGES = ['french', 'spanish', 'german', 'italian', 'portuguese', 'japanese'] as const;
type Language = (typeof LANGUAGES)[number];

const PHRASES: Record<string, Record<Language, string>> = {
  hello: { french: 'Bonjour', spanish: 'Hola', german: 'Hallo', italian: 'Ciao', portuguese: 'Olá', japanese: 'こんにちは (konnichiwa)' },
  'good morning': { french: 'Bonjour', spanish: 'Buenos días', german: 'Guten Morgen', italian: 'Buongiorno', portuguese: 'Bom dia', japanese: 'おはようございます (ohayō gozaimasu)' },
  'good evening': { french: 'Bonsoir', spanish: 'Buenas tardes', german: 'Guten Abend', italian: 'Buonasera', portuguese: 'Boa noite', japanese: 'こんばんは (konbanwa)' },
  'good night': { french: 'Bonne nuit', spanish: 'Buenas noches', german: 'Gute Nacht', italian: 'Buonanotte', portuguese: 'Boa noite', japanese: 'おやすみなさい (oyasuminasai)' },
  'thank you': { french: 'Merci', spanish: 'Gracias', german: 'Danke', italian: 'Grazie', portuguese: 'Obrigado', japanese: 'ありがとうございます (arigatō gozaimasu)' },
  goodbye: { french: 'Au revoir', spanish: 'Adiós', german: 'Auf Wiedersehen', italian: 'Arrivederci', portuguese: 'Adeus', japanese: 'さようなら (sayōnara)' },
  please: { french: "S'il vous plaît", spanish: 'Por favor', german: 'Bitte', italian: 'Per favore', portuguese: 'Por favor', japanese: 'お願いします (onegaishimasu)' },
  yes: { french: 'Oui', spanish: 'Sí', german: 'Ja', italian: 'Sì', portuguese: 'Sim', japanese: 'はい (hai)' },
  no: { french: 'Non', spanish: 'No', german: 'Nein', italian: 'No', portuguese: 'Não', japanese: 'いいえ (iie)' },
  'how are you': { french: 'Comment allez-vous ?', spanish: '¿Cómo estás?', german: 'Wie geht es Ihnen?', italian: 'Come stai?', portuguese: 'Como você está?', japanese: 'お元気ですか (o-genki desu ka)' },
  'i love you': { french: "Je t'aime", spanish: 'Te quiero', german: 'Ich liebe dich', italian: 'Ti amo', portuguese: 'Eu te amo', japanese: '愛してる (aishiteru)' },
  cheers: { french: 'Santé !', spanish: '¡Salud!', german: 'Prost!', italian: 'Salute!', portuguese: 'Saúde!', japanese: '乾杯 (kanpai)' },
};

/** The language a translation request asks for ("into French", "in Spanish"), capitalised, or null. */
export function targetLanguage(text: string): string | null {
  const m = new RegExp(`\\b(?:into|in|to)\\s+(${LANGUAGES.join('|')})\\b`, 'i').exec(text) ?? new RegExp(`\\b(${LANGUAGES.join('|')})\\b`, 'i').exec(text);
  return m ? m[1][0].toUpperCase() + m[1].slice(1).toLowerCase() : null;
}

/** The phrase to translate and its translation, when the phrasebook has it. */
export function translation(text: string): { phrase: string; translation: string } | null {
  const language = targetLanguage(text)?.toLowerCase() as Language | undefined;
  if (!language) return null;
  const quoted = /["“'‘]([^"”'’]{1,80})["”'’]/.exec(text)?.[1];
  const candidates = quoted ? [quoted] : Object.keys(PHRASES).filter((p) => new RegExp(`\\b${p}\\b`, 'i').test(text.replace(/\b(translate|say)\b/gi, '')));
  for (const candidate of candidates) {
    const key = candidate.toLowerCase().replace(/[!?.,]+$/, '').trim();
    const entry = PHRASES[key];
    if (entry) return { phrase: candidate.replace(/[!?.,]+$/, ''), translation: entry[language] };
  }
  return null;
}
