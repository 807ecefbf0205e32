// The live stream of ledger entries over a WebSocket, resumed after the last entry
// received whenever the connection drops.

export class EventStream {
  /**
   * @param {import('./api.js').Api} api
   * @param {{onEvent: (event: object) => void, onState: (state: string, detail?: string) => void}} handlers
   */
  constructor(api, { onEvent, onState }) {
    this.api = api;
    this.onEvent = onEvent;
    this.onState = onState;
    this.lastSequence = null;
    this.socket = null;
    this.stopped = false;
    this.retries = 0;
    this.timer = null;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.socket) {
      this.socket.onclose = null;
      this.socket.onerror = null;
      this.socket.onmessage = null;
      this.socket.close(1000, 'signed out');
      this.socket = null;
    }
  }

  connect() {
    if (this.stopped) return;
    this.onState(this.retries === 0 ? 'connecting' : 'reconnecting');
    let socket;
    try {
      socket = new WebSocket(this.api.streamURL(this.lastSequence ?? undefined));
    } catch (error) {
      this.onState('error', String(error?.message ?? error));
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.retries = 0;
      this.onState('open');
    };
    socket.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (typeof event.sequence === 'number') {
        if (this.lastSequence !== null && event.sequence <= this.lastSequence) return;
        this.lastSequence = event.sequence;
      }
      this.onEvent(event);
    };
    socket.onclose = (close) => {
      this.socket = null;
      if (this.stopped) return;
      this.onState('closed', close.reason || (close.code ? `code ${close.code}` : ''));
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      // A close follows; the reconnection is scheduled there.
    };
  }

  scheduleReconnect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = Math.min(30_000, 1_000 * 2 ** Math.min(this.retries, 5));
    this.retries += 1;
    this.onState('waiting', `retrying in ${Math.round(delay / 1000)} s`);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
