/**
 * Question-like text, pure: a question mark or a typical question word. Used by the 3+3+3 card's
 * open-question rule and by the wake-up (a member's reply opens an SLA question only when it is one).
 * @example looksLikeQuestion('还有货吗') // true
 * @example looksLikeQuestion('好的，谢谢') // false
 */
export function looksLikeQuestion(text: string): boolean {
  const t = text.normalize('NFKC');
  return /[?]|吗|呢|怎么|多少|什么|哪|请问|能不能|可不可以|几段|几号|有没有/.test(t);
}
