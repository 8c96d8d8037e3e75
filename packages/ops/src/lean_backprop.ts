// tfjs-core 4.22's backward pass (engine.gradients → backpropagateGradients) keeps every gradient
// it computes and every activation a kernel saved until the whole pass ends, so the backward
// pass of a ViT holds several times its forward activations at once. This frees each node's
// output gradients and saved tensors as soon as the node's gradient has run, which is when the
// reverse walk is done with them.
import * as tf from '@tensorflow/tfjs-core';

/** The tfjs-core engine internals this patch touches (4.22). */
interface TapeNode {
  saved?: tf.Tensor[];
  gradient?: (dys: (tf.Tensor | null)[]) => Record<string, () => tf.Tensor>;
}
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  addTapeNode(...args: unknown[]): void;
  gradients(...args: unknown[]): unknown;
  nextTensorId(): number;
}

/** One backward pass in progress (passes nest: a gradient may take gradients itself). */
interface Pass {
  /** Tensors with a smaller id existed before the walk began (forward results, the seed dy, the caller's). */
  firstId?: number;
  /** How many input-gradient slots each tensor returned by a gradient fills. */
  returned: Map<tf.Tensor, number>;
  /** What the last node left: its output gradients and saved tensors. */
  pending?: { dys: tf.Tensor[]; saved: tf.Tensor[] };
}

const passes: Pass[] = [];

function release(pass: Pass): void {
  const p = pass.pending;
  pass.pending = undefined;
  if (!p) return;
  for (const dy of p.dys) {
    if (dy.isDisposed || dy.id < pass.firstId!) continue;
    const slots = pass.returned.get(dy) ?? 0;
    // Still the gradient of another tensor (a gradient that passes dy through, or one tensor
    // returned for two inputs): that slot lets it go when its own node runs.
    if (slots > 1) {
      pass.returned.set(dy, slots - 1);
      continue;
    }
    pass.returned.delete(dy);
    dy.dispose();
  }
  for (const t of p.saved) t.dispose();
}

function lean(engine: EngineInternals, node: TapeNode, gradient: NonNullable<TapeNode['gradient']>): TapeNode['gradient'] {
  return (dys) => {
    const pass = passes.at(-1);
    if (!pass) return gradient(dys);
    pass.firstId ??= engine.nextTensorId();
    release(pass); // the previous node's thunks have all run by now
    const thunks = gradient(dys);
    const counted: Record<string, () => tf.Tensor> = {};
    for (const [name, thunk] of Object.entries(thunks)) {
      counted[name] = () => {
        const dx = thunk();
        pass.returned.set(dx, (pass.returned.get(dx) ?? 0) + 1);
        return dx;
      };
    }
    // Saved tensors may be needed again only by a higher-order pass (tfjs keeps them then too).
    const saved = engine.state.gradientDepth === 0 ? (node.saved ?? []) : [];
    pass.pending = { dys: dys.filter((d): d is tf.Tensor => d != null), saved };
    return counted;
  };
}

let installed = false;

/**
 * Makes tfjs-core's backward pass free memory as it goes: once a node's gradient has run, the
 * gradients of its outputs and the tensors it saved are disposed (tfjs 4.22 keeps them all until
 * the pass ends). Gradients are unchanged — the same kernels run in the same order. Only tensors
 * created during the walk are freed, never the forward pass' or the caller's. Idempotent; applies
 * to every `tf.grad`, `tf.grads`, `tf.variableGrads` and `customGrad` from the next call on.
 *
 * @example
 * ```ts
 * installLeanBackprop();
 * const { grads } = tf.variableGrads(() => loss(model.forward(x), y));
 * ```
 */
export function installLeanBackprop(): void {
  if (installed) return;
  const engine = tf.engine() as unknown as EngineInternals;
  const addTapeNode = engine.addTapeNode;
  engine.addTapeNode = function (this: EngineInternals, ...args: unknown[]) {
    addTapeNode.apply(this, args);
    const tape = this.state.activeTape!;
    const node = tape[tape.length - 1];
    if (node?.gradient) node.gradient = lean(this, node, node.gradient);
  };
  const gradients = engine.gradients;
  engine.gradients = function (this: EngineInternals, ...args: unknown[]) {
    passes.push({ returned: new Map() });
    try {
      return gradients.apply(this, args);
    } finally {
      passes.pop();
    }
  };
  installed = true;
}
