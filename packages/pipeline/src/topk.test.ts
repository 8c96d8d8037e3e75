import { describe, expect, it } from 'vitest';
import { softmax, topK } from './topk';

describe('softmax / topK', () => {
  it('is stable for large logits and sums to 1', () => {
    const p = softmax(Float32Array.of(1000, 1001, 1002));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(p[2]).toBeCloseTo(Math.exp(2) / (1 + Math.exp(1) + Math.exp(2)), 12);
  });
  it('orders by probability, ties by index, and caps k at the class count', () => {
    const probs = [0.1, 0.3, 0.3, 0.05, 0.25];
    expect(topK(probs, 3).map((p) => p.index)).toEqual([1, 2, 4]);
    expect(topK(probs, 10)).toHaveLength(5);
    expect(topK(probs, 2, ['a', 'b', 'c', 'd', 'e']).map((p) => p.label)).toEqual(['b', 'c']);
    expect(topK(probs, 1)[0].label).toBeNull();
    expect(() => topK(probs, 0)).toThrow(/topk must be a positive integer/);
  });
});
