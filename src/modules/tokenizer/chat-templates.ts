import { ChatTurn } from './tokenizer.types';

/** A rendered conversation: control tokens by name, text to be encoded without special parsing. */
export type ChatSegment = { special: string } | { text: string };

/**
 * The chat templates of the families, rendered with add_generation_prompt=True as vLLM does before
 * encoding (each mirrors the model's Jinja template in tokenizer_config.json, or mistral_common for
 * Mistral v3). Tools, images and per-message extras are not rendered.
 */
export type ChatTemplateName = 'mistral' | 'mistral-legacy' | 'llama2' | 'zephyr' | 'llama3' | 'qwen2.5' | 'qwen3' | 'phi4' | 'gemma' | 'granite' | 'chatml';

const s = (special: string): ChatSegment => ({ special });
const t = (text: string): ChatSegment => ({ text });

/** Mistral folds system prompts into the last user message (mistral_common, HF v0.3 template). */
function foldSystem(turns: readonly ChatTurn[], where: 'last' | 'first'): ChatTurn[] {
  const system = turns.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
  const rest = turns.filter((m) => m.role !== 'system').map((m) => ({ ...m }));
  if (system) {
    const users = rest.filter((m) => m.role !== 'assistant');
    const target = where === 'last' ? users[users.length - 1] : users[0];
    if (target) target.content = `${system}\n\n${target.content}`;
    else rest.push({ role: 'user', content: system });
  }
  return rest;
}

export function renderChat(template: ChatTemplateName, turns: readonly ChatTurn[]): ChatSegment[] {
  const out: ChatSegment[] = [];
  switch (template) {
    case 'mistral': // v3 control tokens: <s>[INST]▁user[/INST]▁answer</s>[INST]...
      out.push(s('<s>'));
      for (const m of foldSystem(turns, 'last')) {
        if (m.role === 'assistant') out.push(t(m.content), s('</s>'));
        else out.push(s('[INST]'), t(m.content), s('[/INST]'));
      }
      return out;
    case 'mistral-legacy': // v0.1 vocabulary: [INST] is plain text
      out.push(s('<s>'));
      for (const m of foldSystem(turns, 'first')) {
        if (m.role === 'assistant') out.push(t(m.content), s('</s>'));
        else out.push(t(`[INST] ${m.content} [/INST]`));
      }
      return out;
    case 'llama2': {
      const system = turns.find((m) => m.role === 'system')?.content;
      let first = true;
      for (const m of turns.filter((x) => x.role !== 'system')) {
        if (m.role === 'assistant') out.push(t(`${m.content.trim()} `), s('</s>'));
        else {
          const content = first && system ? `<<SYS>>\n${system}\n<</SYS>>\n\n${m.content}` : m.content;
          out.push(s('<s>'), t(`[INST] ${content.trim()} [/INST]`));
          first = false;
        }
      }
      return out;
    }
    case 'zephyr': // TinyLlama chat
      out.push(s('<s>'));
      for (const m of turns) out.push(t(`<|${m.role}|>\n${m.content}`), s('</s>'), t('\n'));
      out.push(t('<|assistant|>\n'));
      return out;
    case 'llama3': {
      // Llama 3.1+ always opens with a system header carrying the knowledge-cutoff lines.
      const system = turns.find((m) => m.role === 'system')?.content.trim() ?? '';
      out.push(s('<|begin_of_text|>'), s('<|start_header_id|>'), t('system'), s('<|end_header_id|>'));
      out.push(t(`\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n${system}`), s('<|eot_id|>'));
      for (const m of turns.filter((x) => x.role !== 'system')) {
        out.push(s('<|start_header_id|>'), t(m.role), s('<|end_header_id|>'), t(`\n\n${m.content.trim()}`), s('<|eot_id|>'));
      }
      out.push(s('<|start_header_id|>'), t('assistant'), s('<|end_header_id|>'), t('\n\n'));
      return out;
    }
    case 'qwen2.5':
    case 'qwen3':
    case 'chatml': {
      if (template === 'qwen2.5' && turns[0]?.role !== 'system') {
        out.push(s('<|im_start|>'), t('system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.'), s('<|im_end|>'), t('\n'));
      }
      for (const m of turns) out.push(s('<|im_start|>'), t(`${m.role}\n${m.content}`), s('<|im_end|>'), t('\n'));
      out.push(s('<|im_start|>'), t('assistant\n'));
      return out;
    }
    case 'phi4':
      for (const m of turns) out.push(s('<|im_start|>'), t(m.role), s('<|im_sep|>'), t(m.content), s('<|im_end|>'));
      out.push(s('<|im_start|>'), t('assistant'), s('<|im_sep|>'));
      return out;
    case 'gemma':
      out.push(s('<bos>'));
      for (const m of foldSystem(turns, 'first')) {
        out.push(s('<start_of_turn>'), t(`${m.role === 'assistant' ? 'model' : 'user'}\n${m.content.trim()}`), s('<end_of_turn>'), t('\n'));
      }
      out.push(s('<start_of_turn>'), t('model\n'));
      return out;
    case 'granite': {
      if (turns[0]?.role !== 'system') {
        const sys = "Knowledge Cutoff Date: April 2024.\nToday's Date: January 1, 2025.\nYou are Granite, developed by IBM. You are a helpful AI assistant.";
        out.push(s('<|start_of_role|>'), t('system'), s('<|end_of_role|>'), t(sys), s('<|end_of_text|>'), t('\n'));
      }
      for (const m of turns) out.push(s('<|start_of_role|>'), t(m.role), s('<|end_of_role|>'), t(m.content), s('<|end_of_text|>'), t('\n'));
      out.push(s('<|start_of_role|>'), t('assistant'), s('<|end_of_role|>'));
      return out;
    }
  }
}
