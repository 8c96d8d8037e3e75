// The page: wires the DOM to the model worker. State for tests and users lives on <body>:
// data-backend (the tfjs backend in use) and data-state (ready | busy | error).
import { ModelWorker } from './client';
import { labelledFromDrop, labelledFromPicker } from './folders';
import type { BackendInfo, BackendRequest, ClassifyResult, LabelledFile, ModelInfo, ModelSource, TrainResult } from './protocol';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const body = document.body;
const worker = new ModelWorker();
const SHIPPED: ModelSource = { kind: 'url', url: new URL('fashion-mnist-vit/model.json', document.baseURI).href };

let busy = 0;
let trainFiles: LabelledFile[] = [];

function setStatus(text: string): void {
  $('status').textContent = text;
}

function showError(message: string | null): void {
  const el = $('error');
  el.hidden = message === null;
  el.textContent = message ?? '';
}

/** Runs one job: the page is `busy` meanwhile, an error goes to #error and the page stays usable. */
async function job<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
  busy++;
  body.dataset.state = 'busy';
  setStatus(what);
  showError(null);
  try {
    return await run();
  } catch (e) {
    showError(`${what} failed: ${(e as Error).message}`);
    return undefined;
  } finally {
    busy--;
    if (busy === 0 && body.dataset.state !== 'error') {
      body.dataset.state = 'ready';
      setStatus('ready');
    }
  }
}

function requestedBackend(): BackendRequest {
  const b = new URLSearchParams(location.search).get('backend') ?? 'auto';
  if (b === 'auto' || b === 'webgpu' || b === 'wasm' || b === 'cpu') return b;
  throw new Error(`?backend= must be auto, webgpu, wasm or cpu, got '${b}'`);
}

async function loadModel(source: ModelSource): Promise<void> {
  const bar = $<HTMLProgressElement>('load-progress');
  bar.value = 0;
  let cached = 0;
  const info = await worker.call<ModelInfo>({ type: 'load', source }, (p) => {
    if (p.what !== 'load') return;
    bar.max = p.total;
    bar.value = p.loaded;
    if (p.fromCache) cached++;
  });
  const size = info.inputSize.join('×');
  $('model-info').textContent =
    `${info.name}: ${(info.parameters / 1e6).toFixed(2)}M parameters, input ${size}, ${info.numClasses} classes ` +
    `(${info.labels.slice(0, 10).join(', ')}${info.numClasses > 10 ? ', …' : ''}); loaded in ${info.loadMs.toFixed(0)} ms` +
    (cached ? `, ${cached} shard${cached === 1 ? '' : 's'} from the cache` : '');
  $('model-info').dataset.numClasses = String(info.numClasses);
  $('model-info').dataset.source = source.kind;
  ($('train') as HTMLButtonElement).disabled = trainFiles.length === 0;
}

function drawResult(r: ClassifyResult): void {
  const card = document.createElement('figure');
  card.className = 'result';
  const canvas = document.createElement('canvas');
  canvas.width = r.overlay.width;
  canvas.height = r.overlay.height;
  canvas.getContext('2d')!.putImageData(new ImageData(r.overlay.data, r.overlay.width, r.overlay.height), 0, 0);
  const caption = document.createElement('figcaption');
  caption.textContent = `${r.name} — ${r.ms.toFixed(0)} ms on ${body.dataset.backend}`;
  const list = topList(r);
  card.append(canvas, caption, list);
  $('results').prepend(card);
  $('top5').replaceChildren(...topList(r).children); // the last image's top-5, for scripts
}

function topList(r: ClassifyResult): HTMLOListElement {
  const ol = document.createElement('ol');
  for (const t of r.top) {
    const li = document.createElement('li');
    li.dataset.index = String(t.index);
    li.dataset.prob = String(t.prob);
    li.textContent = `${t.label} ${(t.prob * 100).toFixed(1)}%`;
    ol.append(li);
  }
  return ol;
}

async function classifyFiles(files: File[]): Promise<void> {
  for (const file of files) {
    await job(`classifying ${file.name}`, async () => drawResult(await worker.call<ClassifyResult>({ type: 'classify', file })));
  }
}

function setTrainFiles(files: LabelledFile[]): void {
  trainFiles = files;
  const counts = new Map<string, number>();
  for (const f of files) counts.set(f.label, (counts.get(f.label) ?? 0) + 1);
  $('train-files').textContent = files.length
    ? `${files.length} images in ${counts.size} classes: ${[...counts].map(([k, n]) => `${k} (${n})`).join(', ')}`
    : 'no images found: use one sub-folder per class';
  ($('train') as HTMLButtonElement).disabled = files.length === 0;
}

function drawCurve(losses: number[]): void {
  const c = $<HTMLCanvasElement>('loss-curve');
  const g = c.getContext('2d')!;
  g.clearRect(0, 0, c.width, c.height);
  if (losses.length < 2) return;
  const max = Math.max(...losses);
  g.strokeStyle = '#2a7';
  g.lineWidth = 2;
  g.beginPath();
  losses.forEach((l, i) => {
    const x = (i / (losses.length - 1)) * (c.width - 10) + 5;
    const y = c.height - 5 - (l / max) * (c.height - 20);
    if (i === 0) g.moveTo(x, y);
    else g.lineTo(x, y);
  });
  g.stroke();
  g.fillStyle = '#444';
  g.fillText(`loss ${losses.at(-1)!.toFixed(4)} (max ${max.toFixed(3)})`, 8, 12);
}

async function train(): Promise<void> {
  const steps = Number(($('steps') as HTMLInputElement).value);
  const lr = Number(($('lr') as HTMLInputElement).value);
  const heldOutFraction = Number(($('held-out') as HTMLInputElement).value);
  const losses: number[] = [];
  const status = $('train-status');
  const r = await job('learning', () =>
    worker.call<TrainResult>({ type: 'train', images: trainFiles, steps, lr, heldOutFraction }, (p) => {
      if (p.what === 'features') status.textContent = `features: ${p.done} / ${p.total} images`;
      if (p.what === 'train') {
        losses.push(p.loss);
        drawCurve(losses);
        status.textContent = `step ${p.step} / ${p.steps}, loss ${p.loss.toFixed(4)}`;
      }
    }),
  );
  if (!r) return;
  const acc = r.heldOutAccuracy;
  status.dataset.accuracy = acc === null ? '' : String(acc);
  status.textContent =
    `trained on ${r.trainCount} images of ${r.labels.length} classes (${r.labels.join(', ')}): final loss ${r.finalLoss.toFixed(4)}; ` +
    (acc === null ? 'nothing held out' : `held-out accuracy ${(acc * 100).toFixed(1)}% on ${r.heldOutCount} images`) +
    `; features ${(r.featureMs / 1000).toFixed(1)} s, head ${(r.trainMs / 1000).toFixed(1)} s. The page now classifies with the new head.`;
  $('model-info').textContent += ` — head replaced: ${r.labels.length} classes (${r.labels.join(', ')})`;
  for (const id of ['download-head', 'download-model']) ($(id) as HTMLButtonElement).disabled = false;
}

async function download(what: 'head' | 'model'): Promise<void> {
  const r = await job(`exporting the ${what}`, () => worker.call<{ bytes: Uint8Array<ArrayBuffer>; fileName: string }>({ type: 'export', what }));
  if (!r) return;
  const url = URL.createObjectURL(new Blob([r.bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = r.fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function dropZone(id: string, onDrop: (e: DragEvent) => void): void {
  const zone = $(id);
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    onDrop(e);
  });
}

function wire(): void {
  const images = $<HTMLInputElement>('images');
  images.addEventListener('change', () => {
    void classifyFiles([...(images.files ?? [])]);
    images.value = '';
  });
  dropZone('classify-drop', (e) => void classifyFiles([...(e.dataTransfer?.files ?? [])]));
  const trainInput = $<HTMLInputElement>('train-images');
  trainInput.addEventListener('change', () => setTrainFiles(labelledFromPicker(trainInput.files ?? [])));
  dropZone('learn-drop', (e) => {
    if (e.dataTransfer) void labelledFromDrop(e.dataTransfer.items).then(setTrainFiles);
  });
  $('train').addEventListener('click', () => void train());
  $('download-head').addEventListener('click', () => void download('head'));
  $('download-model').addEventListener('click', () => void download('model'));
  const modelFiles = $<HTMLInputElement>('model-files');
  modelFiles.addEventListener('change', () => void job('loading your model', () => loadModel({ kind: 'files', files: [...(modelFiles.files ?? [])] })));
  const st = $<HTMLInputElement>('model-safetensors');
  st.addEventListener('change', () => {
    const file = st.files?.[0];
    const modelName = ($('model-name') as HTMLInputElement).value.trim();
    if (file) void job(`loading ${file.name}`, () => loadModel({ kind: 'safetensors', file, modelName }));
  });
  $('model-reset').addEventListener('click', () => void job('loading the shipped model', () => loadModel(SHIPPED)));
}

async function start(): Promise<void> {
  wire();
  busy++;
  try {
    const info = await worker.call<BackendInfo>({ type: 'init', backend: requestedBackend() });
    body.dataset.backend = info.backend;
    $('backend-info').textContent =
      `backend: ${info.backend}` +
      (info.threads !== null ? ` (${info.threads} thread${info.threads === 1 ? '' : 's'}${info.crossOriginIsolated ? '' : '; not cross-origin isolated, so no threads'})` : '') +
      ` — ${info.reason}`;
    if (info.threads !== null) body.dataset.threads = String(info.threads);
    await loadModel(SHIPPED);
    body.dataset.state = 'ready';
    setStatus('ready');
  } catch (e) {
    body.dataset.state = 'error';
    setStatus('could not start');
    showError((e as Error).message);
  } finally {
    busy--;
  }
}

void start();
