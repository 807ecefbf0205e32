// The Deconflict REST API, called with one party's key.

/** An error answered by the API (application/problem+json) or a failed request. */
export class ApiError extends Error {
  constructor({ status = 0, title = 'Request failed', detail = '', field, reason, method, path } = {}) {
    super(detail || title);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.field = field;
    this.reason = reason;
    this.method = method;
    this.path = path;
  }

  /** One line for the user: `422 Unprocessable Content — at: not an RFC 3339 time`. */
  describe() {
    const head = this.status ? `${this.status} ${this.title}` : this.title;
    return this.detail ? `${head} — ${this.detail}` : head;
  }
}

export class Api {
  /**
   * @param {string} key the party's API key
   * @param {(error: ApiError) => void} onUnauthorized called when the key is refused (401)
   */
  constructor(key, onUnauthorized) {
    this.key = key;
    this.onUnauthorized = onUnauthorized;
    this.closed = false;
  }

  /** Stops reporting: answers to requests made before are dropped by callers. */
  close() {
    this.closed = true;
  }

  async request(method, path, body) {
    const headers = { Accept: 'application/json, application/problem+json', Authorization: `Bearer ${this.key}` };
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (cause) {
      throw new ApiError({
        title: 'The server cannot be reached',
        detail: `${method} ${path}: ${cause?.message ?? cause}`,
        method,
        path,
      });
    }
    const text = await response.text();
    let payload = null;
    if (text) {
      try {
        payload = JSON.parse(text);
      } catch {
        payload = null;
      }
    }
    if (!response.ok) {
      const problem = payload && typeof payload === 'object' ? payload : {};
      const error = new ApiError({
        status: response.status,
        title: problem.title || response.statusText || 'Error',
        detail: problem.detail || problem.reason || (payload ? '' : text.slice(0, 300)),
        field: problem.field,
        reason: problem.reason,
        method,
        path,
      });
      if (response.status === 401 && !this.closed) this.onUnauthorized?.(error);
      throw error;
    }
    if (payload === null && text) {
      throw new ApiError({ status: response.status, title: 'Unreadable answer', detail: `${method} ${path}: not JSON`, method, path });
    }
    return payload;
  }

  situation(at) {
    return this.request('GET', at ? `/v1/situation?at=${encodeURIComponent(at)}` : '/v1/situation');
  }

  parties() {
    return this.request('GET', '/v1/parties');
  }

  messages() {
    return this.request('GET', '/v1/messages');
  }

  incidents() {
    return this.request('GET', '/v1/incidents');
  }

  acknowledgeAlert(id) {
    return this.request('POST', `/v1/alerts/${encodeURIComponent(id)}/acknowledge`);
  }

  resolveAlert(id, reason) {
    return this.request('POST', `/v1/alerts/${encodeURIComponent(id)}/resolve`, { reason });
  }

  sendMessage(message) {
    return this.request('POST', '/v1/messages', message);
  }

  acknowledgeMessage(id) {
    return this.request('POST', `/v1/messages/${encodeURIComponent(id)}/acknowledge`);
  }

  /** Declares one of the caller's zones, or changes it (the same id). */
  putZone(zone) {
    return this.request('PUT', `/v1/zones/${encodeURIComponent(zone.id)}`, zone);
  }

  removeZone(id) {
    return this.request('DELETE', `/v1/zones/${encodeURIComponent(id)}`);
  }

  /** Proposes an agreement, or changes its terms (the caller must be a signatory). */
  putAgreement(agreement) {
    return this.request('PUT', `/v1/agreements/${encodeURIComponent(agreement.id)}`, agreement);
  }

  signAgreement(id) {
    return this.request('POST', `/v1/agreements/${encodeURIComponent(id)}/sign`);
  }

  withdrawAgreement(id) {
    return this.request('POST', `/v1/agreements/${encodeURIComponent(id)}/withdraw`);
  }

  /** What an operation would conflict with; nothing is recorded. */
  checkOperation(operation) {
    return this.request('POST', '/v1/operations/check', operation);
  }

  putOperation(operation) {
    return this.request('PUT', `/v1/operations/${encodeURIComponent(operation.id)}`, operation);
  }

  /** Gives notice of an operation: the server sends it on the message line. */
  notifyOperation(id) {
    return this.request('POST', `/v1/operations/${encodeURIComponent(id)}/notify`);
  }

  setOperationState(id, state) {
    return this.request('POST', `/v1/operations/${encodeURIComponent(id)}/state`, { state });
  }

  /** The WebSocket address of the live stream, resuming after `after` when given. */
  streamURL(after) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const query = new URLSearchParams({ access_token: this.key });
    if (after !== undefined && after !== null) query.set('after', String(after));
    return `${scheme}//${location.host}/v1/events/ws?${query}`;
  }
}
