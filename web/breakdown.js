// What the board's team breakdown and the team page's "why we have N points" share: a
// standing's solved challenges in solve order, each with its points, first-blood bonus and
// hint cost, and their sums.

const num = (v) => (Number.isFinite(Number(v)) ? Number(v) : 0);

/**
 * The solve lines of a standing (`{c, p, b, h}`: the challenge entry, points, bonus, hint cost
 * as a positive number) in solve order, and `sum` of each. `unsolvedHints` is what the team's
 * hint total holds beyond those lines (hints bought on challenges not solved yet); it is in
 * `sum.h`, so the sums explain the tasks component, and pages show it as a line of its own.
 */
export function solveLines(standing) {
  const items = [...(Array.isArray(standing.challenges) ? standing.challenges : [])].sort((a, b) => {
    const ta = a.solved_at ? Date.parse(a.solved_at) : Infinity;
    const tb = b.solved_at ? Date.parse(b.solved_at) : Infinity;
    return ta === tb ? 0 : ta - tb;
  });
  const lines = items.map((c) => ({
    c,
    p: num(c.points),
    b: num(c.first_blood_bonus),
    h: Math.abs(num(c.hint_cost)), // a cost is always a deduction
  }));
  const sum = { p: 0, b: 0, h: 0 };
  for (const l of lines) {
    sum.p += l.p;
    sum.b += l.b;
    sum.h += l.h;
  }
  const team = standing.hint_cost !== undefined && standing.hint_cost !== null
    ? Math.abs(num(standing.hint_cost)) : null;
  const unsolvedHints = team !== null && team - sum.h > 0.0001 ? team - sum.h : 0;
  sum.h += unsolvedHints;
  return { lines, sum, unsolvedHints };
}
