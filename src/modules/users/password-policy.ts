import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;
/** zxcvbn score (0-4) a password must reach: 3 = "safely unguessable: moderate protection from offline attacks". */
export const PASSWORD_MIN_SCORE = 3;

const zxcvbn = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });

/**
 * Why a password is refused, or null when it is acceptable: long enough and not
 * guessable (common passwords, keyboard walks, the user's own name or e-mail).
 */
export function passwordWeakness(password: string, userInputs: string[] = []): string | null {
  if (password.length < PASSWORD_MIN_LENGTH) return `must be at least ${PASSWORD_MIN_LENGTH} characters`;
  if (password.length > PASSWORD_MAX_LENGTH) return `must be at most ${PASSWORD_MAX_LENGTH} characters`;
  const inputs = userInputs.flatMap((s) => s.toLowerCase().split(/[@.\s_-]+/)).filter((s) => s.length >= 3);
  const lower = password.toLowerCase();
  if (inputs.some((token) => token.length >= 4 && lower.includes(token))) return 'must not contain your name or e-mail';
  const result = zxcvbn.check(password, [...inputs, 'parcours', 'seine', 'saint', 'denis', 'rsa']);
  if (result.score < PASSWORD_MIN_SCORE) {
    return `is too easy to guess${result.feedback.warning ? ` (${result.feedback.warning})` : ''}`;
  }
  return null;
}
