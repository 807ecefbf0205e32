// The after-action review timeline: a range from the first ledger entry to now; moving
// it asks for the situation at that instant, and Live returns to the present. Play runs
// the record forward at a chosen speed (the situation read again at each instant), and
// the step buttons move by a chosen step.

import { formatDateTime, formatDuration, debounce } from './util.js';

/** The least real time between two instants read while playing: one read at a time, at most this often. */
const PLAY_FRAME_MS = 400;

export class Timeline {
  /**
   * @param {{range: HTMLInputElement, output: HTMLOutputElement, live: HTMLButtonElement, back: HTMLButtonElement, forward: HTMLButtonElement, play?: HTMLButtonElement, speed?: HTMLSelectElement, stepSize?: HTMLSelectElement}} elements
   * @param {{onReplay: (atMs: number) => void | Promise, onLive: () => void}} handlers
   */
  constructor(elements, { onReplay, onLive }) {
    this.elements = elements;
    this.onReplay = onReplay;
    this.onLive = onLive;
    this.since = NaN;
    this.time = NaN;
    this.replayAt = null;
    this.dragging = false;
    this.playing = null; // {fromAt, fromReal, run}: the replayed instant and the real time play started from
    const { range, live, back, forward, play, speed, stepSize } = elements;
    const request = debounce(() => this.replay(this.valueMs()), 250);
    range.addEventListener('input', () => {
      this.pause();
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
      if (event.key === ' ' || event.key === 'k') {
        // Space or k plays and pauses, as in a video player.
        event.preventDefault();
        this.togglePlay();
      } else if (event.key in steps) {
        event.preventDefault();
        this.pause();
        this.step(steps[event.key]);
      } else if (event.key === 'Home' || event.key === 'End') {
        event.preventDefault();
        this.pause();
        this.replay(event.key === 'Home' ? this.since : this.time);
      }
    });
    live.addEventListener('click', () => this.goLive());
    back.addEventListener('click', () => {
      this.pause();
      this.step(-this.stepSeconds);
    });
    forward.addEventListener('click', () => {
      this.pause();
      this.step(this.stepSeconds);
    });
    play?.addEventListener('click', () => this.togglePlay());
    speed?.addEventListener('change', () => {
      // Go on from the instant shown, at the new speed.
      if (this.playing) this.playing = { ...this.playing, fromAt: this.replayAt, fromReal: performance.now() };
      this.updateButtons();
    });
    stepSize?.addEventListener('change', () => this.updateButtons());
    this.updateButtons();
  }

  /** The step of the step buttons, in seconds (one minute without a choice). */
  get stepSeconds() {
    const value = Number(this.elements.stepSize?.value);
    return Number.isFinite(value) && value > 0 ? value : 60;
  }

  /** Replayed seconds per real second. */
  get speed() {
    const value = Number(this.elements.speed?.value);
    return Number.isFinite(value) && value > 0 ? value : 1;
  }

  get isPlaying() {
    return this.playing !== null;
  }

  togglePlay() {
    if (this.playing) this.pause();
    else this.play();
  }

  /**
   * Plays from the replayed instant (from the start of the record when live or at its
   * end): the instant moves on at the chosen speed, the situation read at each, one read
   * at a time, until the end of the record.
   */
  play() {
    if (Number.isNaN(this.since) || this.playing) return;
    let from = this.replayAt;
    if (from === null || from >= this.time - 1000) from = this.since;
    const run = {};
    this.playing = { fromAt: from, fromReal: performance.now(), run };
    this.updateButtons();
    this.loop(run, from);
  }

  pause() {
    if (!this.playing) return;
    this.playing = null;
    this.updateButtons();
  }

  async loop(run, first) {
    let at = first;
    while (this.playing?.run === run) {
      const started = performance.now();
      const end = at >= this.time;
      this.replay(Math.min(at, this.time));
      try {
        await this.replayed;
      } catch {
        // The app reports a failed read; playing goes on.
      }
      if (this.playing?.run !== run) return;
      if (end) {
        this.pause();
        this.elements.output.textContent = `${this.elements.output.value} — end of the record`;
        return;
      }
      const wait = PLAY_FRAME_MS - (performance.now() - started);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (this.playing?.run !== run) return;
      const { fromAt, fromReal } = this.playing;
      at = fromAt + (performance.now() - fromReal) * this.speed;
    }
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
    this.replayed = Promise.resolve(this.onReplay(this.replayAt));
  }

  goLive() {
    this.pause();
    const wasReplay = this.replayAt !== null;
    this.replayAt = null;
    this.dragging = false;
    this.setRange(this.since, this.time);
    this.updateButtons();
    this.onLive(wasReplay);
  }

  updateButtons() {
    const { live, forward, back, play } = this.elements;
    const replay = this.replayAt !== null;
    live.setAttribute('aria-pressed', replay ? 'false' : 'true');
    live.textContent = replay ? 'Back to live' : 'Live';
    live.classList.toggle('is-live', !replay);
    forward.disabled = !replay;
    back.disabled = Number.isNaN(this.since);
    const step = formatDuration(this.stepSeconds).replace(' 00 s', '').replace(' 00 min', '');
    back.textContent = `−${step}`;
    forward.textContent = `+${step}`;
    back.setAttribute('aria-label', `Step back ${step}`);
    forward.setAttribute('aria-label', `Step forward ${step}`);
    back.title = `Step back ${step}`;
    forward.title = `Step forward ${step}`;
    if (play) {
      const playing = this.playing !== null;
      play.disabled = Number.isNaN(this.since);
      play.textContent = playing ? '❚❚ Pause' : '▶ Play';
      play.setAttribute('aria-label', playing ? 'Pause the replay' : `Play the record at ${this.speed}×`);
      play.classList.toggle('is-playing', playing);
      // While playing, the map is not dimmed at each read.
      document.body.classList.toggle('is-playing', playing);
    }
  }

  reset() {
    this.pause();
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
