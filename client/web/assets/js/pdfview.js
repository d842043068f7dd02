// pdfview.js — documents in the page with pdf.js (vendor/pdfjs, loaded on
// first use) and their bytes kept for offline reading.
//
//   const store = new DocStore(meetingID)
//   await store.bytes(doc, version) → {bytes: Uint8Array, source: 'network'|'memory'|'cache'}
//       doc is the meeting.Document (its access decides the caching): bytes
//       stay in memory, keyed by document and version; a non-confidential
//       document is also put in Cache Storage ("phonghop-docs-v1") so it
//       survives a reload while offline; a confidential one (access "named",
//       served no-store) never is. Throws {status} on an HTTP error.
//   const view = await openPdf(bytes) → {pdf, pages, destroy()}
//   await drawPage(view, page, canvas, maxWidth, maxHeight) → fits the page in
//       the box (CSS pixels), sharp on high-DPI screens
export const CACHE = 'phonghop-docs-v1';

let lib = null;
async function pdfjs() {
  if (!lib) {
    lib = await import('../vendor/pdfjs/pdf.min.mjs');
    lib.GlobalWorkerOptions.workerSrc = new URL('../vendor/pdfjs/pdf.worker.min.mjs', import.meta.url).href;
  }
  return lib;
}

export class DocStore {
  constructor(meetingID) {
    this.meeting = meetingID;
    this.mem = new Map();
  }

  url(doc, version) {
    return `/api/meetings/${encodeURIComponent(this.meeting)}/documents/${encodeURIComponent(doc)}/versions/${version}/content`;
  }

  async bytes(d, version) {
    const key = `${d.id}:${version}`;
    if (this.mem.has(key)) return { bytes: this.mem.get(key), source: 'memory' };
    const url = this.url(d.id, version);
    const confidential = d.access === 'named';
    const persist = !confidential && 'caches' in window;
    try {
      const resp = await fetch(url, { credentials: 'same-origin', cache: confidential ? 'no-store' : 'default' });
      if (!resp.ok) throw Object.assign(new Error('HTTP ' + resp.status), { status: resp.status });
      const bytes = new Uint8Array(await resp.arrayBuffer());
      this.mem.set(key, bytes);
      if (persist) {
        const type = resp.headers.get('Content-Type') || 'application/pdf';
        caches.open(CACHE).then((c) => c.put(url, new Response(bytes.slice(), { headers: { 'Content-Type': type } }))).catch(() => {});
      }
      return { bytes, source: 'network' };
    } catch (err) {
      if (persist && !err.status) {
        const hit = await caches.open(CACHE).then((c) => c.match(url)).catch(() => null);
        if (hit) {
          const bytes = new Uint8Array(await hit.arrayBuffer());
          this.mem.set(key, bytes);
          return { bytes, source: 'cache' };
        }
      }
      throw err;
    }
  }
}

export async function openPdf(bytes) {
  const l = await pdfjs();
  // pdf.js transfers the buffer to its worker: give it a copy.
  const task = l.getDocument({ data: bytes.slice(), isEvalSupported: false,
    standardFontDataUrl: new URL('../vendor/pdfjs/standard_fonts/', import.meta.url).href });
  const pdf = await task.promise;
  return { pdf, pages: pdf.numPages, destroy: () => task.destroy() };
}

export async function drawPage(view, n, canvas, maxW, maxH) {
  const page = await view.pdf.getPage(n);
  const base = page.getViewport({ scale: 1 });
  const scale = Math.max(0.2, Math.min(maxW / base.width, maxH / base.height));
  const dpr = window.devicePixelRatio || 1;
  const vp = page.getViewport({ scale: scale * dpr });
  const off = document.createElement('canvas');
  off.width = Math.floor(vp.width);
  off.height = Math.floor(vp.height);
  await page.render({ canvas: off, canvasContext: off.getContext('2d'), viewport: vp }).promise;
  canvas.width = off.width;
  canvas.height = off.height;
  canvas.style.width = Math.floor(vp.width / dpr) + 'px';
  canvas.getContext('2d').drawImage(off, 0, 0);
}
