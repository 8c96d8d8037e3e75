// Held-out split per class for the page's learn step: deterministic (file order), so a run repeats.

/**
 * Holds out `fraction` of each class (rounded, at least one when a class has three or more images,
 * never all of them): the last images of each class in the order given.
 */
export function splitHeldOut<T extends { label: string }>(items: readonly T[], fraction: number): { train: T[]; heldOut: T[] } {
  const byLabel = new Map<string, T[]>();
  for (const item of items) byLabel.set(item.label, [...(byLabel.get(item.label) ?? []), item]);
  const train: T[] = [];
  const heldOut: T[] = [];
  for (const group of byLabel.values()) {
    let n = Math.round(group.length * fraction);
    if (fraction > 0 && n === 0 && group.length >= 3) n = 1;
    n = Math.min(n, group.length - 1);
    train.push(...group.slice(0, group.length - n));
    heldOut.push(...group.slice(group.length - n));
  }
  return { train, heldOut };
}
