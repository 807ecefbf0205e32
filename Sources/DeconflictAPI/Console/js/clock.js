// The server's clock, as seen from here. The server's "now" need not be this
// computer's (a demonstration runs its own clock, maybe faster than real time), so it
// is extrapolated from the times the server gives, at the rate they advance.

export class ServerClock {
  constructor() {
    this.baseServer = NaN; // ms, the last time the server gave
    this.baseLocal = 0; // performance.now() when it was given
    this.rate = 1; // server ms per local ms
    this.samples = [];
  }

  get known() {
    return !Number.isNaN(this.baseServer);
  }

  /** Records that the server's time was `serverMs` when the answer arrived. */
  observe(serverMs) {
    if (Number.isNaN(serverMs)) return;
    const local = performance.now();
    this.samples.push([local, serverMs]);
    // Rate from samples at least a few seconds apart, over the last minute or so.
    while (this.samples.length > 2 && local - this.samples[0][0] > 60_000) this.samples.shift();
    const [firstLocal, firstServer] = this.samples[0];
    if (local - firstLocal >= 3_000) {
      const rate = (serverMs - firstServer) / (local - firstLocal);
      if (Number.isFinite(rate)) this.rate = Math.min(Math.max(rate, 0), 10_000);
    }
    this.baseServer = serverMs;
    this.baseLocal = local;
  }

  /** The server's time now, in ms (NaN before the first answer). */
  now() {
    if (!this.known) return NaN;
    return this.baseServer + (performance.now() - this.baseLocal) * this.rate;
  }

  reset() {
    this.baseServer = NaN;
    this.samples = [];
    this.rate = 1;
  }
}
