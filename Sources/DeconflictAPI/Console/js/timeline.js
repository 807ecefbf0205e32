// The after-action review timeline: a range from the first ledger entry to now; moving
// it asks for the situation at that instant, and Live returns to the present.

import { formatDateTime, debounce } from './util.js';

export class Timeline {
  /**
   * @param {{range: HTMLInputElement, output: HTMLOutputElement, live: HTMLButtonElement, back: HTMLButtonElement, forward: HTMLButtonElement}} elements
   * @param {{onReplay: (atMs: number) => void, onLive: () => void}} handlers
   */
  constructor(elements, { onReplay, onLive }) {
    this.elements = elements;
    this.onReplay = onReplay;
    this.onLive = onLive;
    this.since = NaN;
    this.time = NaN;
    this.replayAt = null;
    this.dragging = false;
    const { range, live, back, forward } = elements;
    const request = debounce(() => this.replay(this.valueMs()), 250);
    range.addEventListener('input', () => {
      this.dragging = true;
      this.showValue(this.valueMs(), true);
      request();
    });
    range.addEventListener('change', () => {
      this.dragging = false;
      request.cancel();
      this.replay(this.valueMs());
    });
    range.addEventListener('pointerup', () => {
      this.dragging = false;
    });
    range.addEventListener('blur', () => {
      this.dragging = false;
    });
    // Keys move by useful steps: arrows half a minute, Page Up and Down five minutes,
    // Home the first entry and End the latest instant.
    range.addEventListener('keydown', (event) => {
      const steps = { ArrowLeft: -30, ArrowDown: -30, ArrowRight: 30, ArrowUp: 30, PageDown: -300, PageUp: 300 };
      if (event.key in steps) {
        event.preventDefault();
        this.step(steps[event.key]);
      } else if (event.key === 'Home' || event.key === 'End') {
        event.preventDefault();
        this.replay(event.key === 'Home' ? this.since : this.time);
      }
    });
    live.addEventListener('click', () => this.goLive());
    back.addEventListener('click', () => this.step(-60));
    forward.addEventListener('click', () => this.step(60));
  }

  get isReplay() {
    return this.replayAt !== null;
  }

  valueMs() {
    return this.since + Number(this.elements.range.value) * 1000;
  }

  /** The record's range: `since` (first entry) to `time` (the server's now). */
  setRange(sinceMs, timeMs) {
    if (Number.isNaN(sinceMs) || Number.isNaN(timeMs)) return;
    this.since = sinceMs;
    this.time = Math.max(timeMs, sinceMs);
    const { range } = this.elements;
    const max = Math.max(0, Math.floor((this.time - this.since) / 1000));
    range.min = '0';
    range.max = String(max);
    range.step = '1';
    range.disabled = max === 0;
    if (this.dragging) return;
    if (this.replayAt === null) {
      range.value = String(max);
      this.showValue(this.time, false);
    } else {
      range.value = String(Math.round((this.replayAt - this.since) / 1000));
      this.showValue(this.replayAt, true);
    }
    this.updateButtons();
  }

  showValue(atMs, replay) {
    const { output, range } = this.elements;
    const text = formatDateTime(atMs);
    output.value = replay ? `${text} (replay)` : `${text} (live)`;
    output.textContent = output.value;
    range.setAttribute('aria-valuetext', replay ? `Replay at ${text}` : `Live, ${text}`);
  }

  step(seconds) {
    if (Number.isNaN(this.since)) return;
    const current = this.replayAt ?? this.time;
    const target = Math.max(this.since, Math.min(this.time, current + seconds * 1000));
    this.replay(target);
  }

  replay(atMs) {
    if (Number.isNaN(atMs)) return;
    this.replayAt = Math.max(this.since, Math.min(this.time, atMs));
    this.elements.range.value = String(Math.round((this.replayAt - this.since) / 1000));
    this.showValue(this.replayAt, true);
    this.updateButtons();
    this.onReplay(this.replayAt);
  }

  goLive() {
    const wasReplay = this.replayAt !== null;
    this.replayAt = null;
    this.dragging = false;
    this.setRange(this.since, this.time);
    this.updateButtons();
    this.onLive(wasReplay);
  }

  updateButtons() {
    const { live, forward, back } = this.elements;
    const replay = this.replayAt !== null;
    live.setAttribute('aria-pressed', replay ? 'false' : 'true');
    live.textContent = replay ? 'Back to live' : 'Live';
    live.classList.toggle('is-live', !replay);
    forward.disabled = !replay;
    back.disabled = Number.isNaN(this.since);
  }

  reset() {
    this.since = NaN;
    this.time = NaN;
    this.replayAt = null;
    this.dragging = false;
    this.elements.range.value = '0';
    this.elements.range.max = '0';
    this.elements.output.textContent = '';
    this.updateButtons();
  }
}
