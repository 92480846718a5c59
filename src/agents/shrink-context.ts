/**
 * Keeps a long tool loop inside the model's context window. Old tool results
 * (file reads, searches, listings) are most of a conversation's size and the
 * least needed later: the agent can read a file again. They are replaced by a
 * short note; the system prompt, the task message, the agent's own messages
 * and the most recent turn stay intact, and every tool_use keeps its
 * tool_result so the conversation stays valid.
 */
import type { ContentBlockParam, MessageParam, ToolResultBlockParam } from "@anthropic-ai/sdk/resources/messages";

/** What an elided tool result says instead of its content. */
export const ELIDED_NOTE = "[elided to save context: re-read the file if needed]";

/** Results shorter than this are kept: eliding them saves nothing worth a re-read. */
const MIN_ELIDED_CHARS = 120;

/** Fraction of the context window above which the conversation is shrunk. */
export const SHRINK_THRESHOLD = 0.75;

export interface ShrinkResult {
  messages: MessageParam[];
  /** Tool results elided by this call. */
  elided: number;
}

/**
 * Returns `messages` with the content of every tool result older than the
 * last `keepRecent` messages replaced by `ELIDED_NOTE`. The first message
 * (the task) is never changed; `messages` itself is not modified.
 */
export function shrinkContext(messages: readonly MessageParam[], keepRecent = 2): ShrinkResult {
  let elided = 0;
  const cutoff = messages.length - Math.max(0, keepRecent);
  const out = messages.map((message, index) => {
    if (index === 0 || index >= cutoff || message.role !== "user" || typeof message.content === "string") return message;
    let changed = false;
    const content = message.content.map((block): ContentBlockParam => {
      if (block.type !== "tool_result" || sizeOf(block) < MIN_ELIDED_CHARS) return block;
      changed = true;
      elided += 1;
      return { ...block, content: ELIDED_NOTE };
    });
    return changed ? { ...message, content } : message;
  });
  return { messages: out, elided };
}

function sizeOf(block: ToolResultBlockParam): number {
  if (block.content === undefined) return 0;
  if (typeof block.content === "string") return block.content.length;
  return block.content.reduce((n, part) => n + (part.type === "text" ? part.text.length : MIN_ELIDED_CHARS), 0);
}
