/**
 * Confidence intervals for reactivation rates and their difference (the lift), pure.
 *
 * The lift is p₁ − p₂ (treatment − holdout). Its 95% interval is Newcombe's hybrid score interval
 * (Newcombe 1998, "Interval estimation for the difference between independent proportions", method 10):
 * it combines the Wilson score intervals of each proportion, keeps within [−1, 1], and behaves well
 * with small groups and rates near 0 or 1, where the Wald interval (method 1, also given) is too narrow
 * or degenerate. A holdout of 10% is usually small, so Newcombe is what reports show.
 */

/** z for a two-sided 95% interval. */
export const Z95 = 1.959963984540054;

export interface Interval {
  low: number;
  high: number;
}

/** Wilson score interval of x successes in n; [0, 1] when n = 0. */
export function wilson(x: number, n: number, z = Z95): Interval {
  if (n === 0) return { low: 0, high: 1 };
  const p = x / n;
  const z2 = z * z;
  const centre = p + z2 / (2 * n);
  const spread = z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  const denom = 1 + z2 / n;
  return { low: Math.max(0, (centre - spread) / denom), high: Math.min(1, (centre + spread) / denom) };
}

/** The difference of two proportions with its interval. */
export interface Lift {
  /** x₁/n₁ − x₂/n₂; null when a group is empty. */
  diff: number | null;
  ci: Interval | null;
}

/**
 * Newcombe's hybrid score interval for p₁ − p₂.
 * @example newcombe(56, 70, 48, 80) // diff 0.2, ci ≈ [0.0524, 0.3339] (Newcombe 1998, table II)
 */
export function newcombe(x1: number, n1: number, x2: number, n2: number, z = Z95): Lift {
  if (n1 === 0 || n2 === 0) return { diff: null, ci: null };
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const a = wilson(x1, n1, z);
  const b = wilson(x2, n2, z);
  const d = p1 - p2;
  const low = d - Math.sqrt((p1 - a.low) ** 2 + (b.high - p2) ** 2);
  const high = d + Math.sqrt((a.high - p1) ** 2 + (p2 - b.low) ** 2);
  return { diff: d, ci: { low, high } };
}

/** The Wald interval for p₁ − p₂ (for comparison; degenerate at 0% or 100%). */
export function wald(x1: number, n1: number, x2: number, n2: number, z = Z95): Lift {
  if (n1 === 0 || n2 === 0) return { diff: null, ci: null };
  const p1 = x1 / n1;
  const p2 = x2 / n2;
  const se = Math.sqrt((p1 * (1 - p1)) / n1 + (p2 * (1 - p2)) / n2);
  return { diff: p1 - p2, ci: { low: p1 - p2 - z * se, high: p1 - p2 + z * se } };
}
