/*
 * Pattern replies are templates: `{{name}}` is replaced by what the prompt gave (a regex capture
 * group `{{1}}` or `{{city}}`, the detected `{{topic}}`, `{{language}}`, a computed `{{answer}}`,
 * a generated `{{code}}` block ...). `{{name|text}}` writes `text` when the prompt gives nothing
 * for `name`. A reply that needs a value the prompt does not give (no default) is not eligible:
 * another reply of the pattern answers, or the fallback. `{{Name}}` (first letter upper case)
 * capitalises the value. `{{^name}}` writes nothing and makes the reply eligible only when the
 * prompt gives nothing for `name` ("paste the text you want summarised" only when there is none).
 * Names the simulator does not know are left as written, so replies with literal braces (Jinja,
 * Go templates) keep them.
 */

/** What a template may ask for; `value` is called lazily, only for names a reply uses. */
export interface TemplateValues {
  /** Whether `name` is a variable at all (unknown names are left as written). */
  knows(name: string): boolean;
  /** The value, or '' / undefined when the prompt gives none. */
  value(name: string): string | undefined;
}

const PLACEHOLDER = /\{\{\s*(\^?)\s*([A-Za-z_][\w]*|\d{1,2})\s*(?:\|([^{}]*))?\}\}/g;

/** The text with its placeholders filled, or null when a value without default is missing. */
export function renderTemplate(template: string, values: TemplateValues): string | null {
  if (!template.includes('{{')) return template;
  let missing = false;
  const out = template.replace(PLACEHOLDER, (whole, unless: string, rawName: string, fallback: string | undefined) => {
    const name = /^\p{Lu}/u.test(rawName) && !values.knows(rawName) ? rawName[0].toLowerCase() + rawName.slice(1) : rawName;
    if (!values.knows(name)) return whole;
    const value = values.value(name);
    if (unless === '^') {
      if (value !== undefined && value !== '') missing = true;
      return '';
    }
    if (value === undefined || value === '') {
      if (fallback === undefined) missing = true;
      return fallback?.trim() ?? '';
    }
    return name !== rawName ? value[0].toUpperCase() + value.slice(1) : value;
  });
  return missing ? null : out;
}
