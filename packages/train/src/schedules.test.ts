import { loadFixture } from '@tfjs-vit/testing';
import { describe, expect, it } from 'vitest';
import { constantSchedule, cosineSchedule, type Schedule, stepSchedule } from './schedules';

const fx = loadFixture(new URL('../fixtures/schedules.safetensors', import.meta.url));

type Config = Record<string, number | boolean | string>;
const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function build(config: Config): Schedule {
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) if (k !== 'kind') o[camel(k)] = v;
  return config.kind === 'cosine' ? cosineSchedule(o as never) : stepSchedule(o as never);
}

describe('schedules vs timm (t_in_epochs=False)', () => {
  for (const name of ['cosine_warmup', 'cosine_prefix', 'cosine_cycles', 'cosine_plain', 'step_warmup', 'step_prefix']) {
    it(name, () => {
      const { config, values } = JSON.parse(fx.meta[name]) as { config: Config; values: number[] };
      const lr = build(config);
      values.forEach((v, t) => expect(Math.abs(lr(t) - v), `t=${t}: ${lr(t)} vs ${v}`).toBeLessThanOrEqual(1e-12 * Math.max(1, v)));
    });
  }

  it('constant: warmup then flat', () => {
    const { config, values } = JSON.parse(fx.meta.step_warmup) as { config: Config; values: number[] };
    const lr = constantSchedule({ baseLr: config.base_lr as number, warmupT: config.warmup_t as number, warmupLrInit: config.warmup_lr_init as number });
    // identical to the step schedule's warmup and its first plateau
    for (let t = 0; t < (config.decay_t as number); t++) expect(lr(t)).toBeCloseTo(values[t], 15);
    expect(lr(10_000)).toBe(config.base_lr);
  });

  it('rejects bad arguments', () => {
    expect(() => cosineSchedule({ baseLr: 1, tInitial: 0 })).toThrow(/tInitial/);
    expect(() => stepSchedule({ baseLr: -1, decayT: 1 })).toThrow(/baseLr/);
  });
});
