// The console: signs in with a party's key, keeps the live situation up to date from the
// event stream and by polling, and shows it, or a past instant of it, on the map and in
// the panels.

import { Api } from './api.js';
import { ServerClock } from './clock.js';
import { EventStream } from './stream.js';
import { MapView } from './map.js';
import { loadRegion } from './picture.js';
import { AlertList } from './alerts.js';
import { MessageLine } from './messages.js';
import { renderAgreements, renderResponsibilities, AgreementForm, confirmWithdrawal } from './agreements.js';
import { OperationsPanel } from './operations.js';
import { renderSituationList } from './situation-list.js';
import { Timeline } from './timeline.js';
import { awaitedAnswers, renderAwaiting, tickAwaiting } from './awaiting.js';
import { Exporter } from './export.js';
import { ZoneEditor } from './zone-editor.js';
import { h, clear, debounce, formatClock, formatDateTime, isoTime, isOperator, ms } from './util.js';

const KEY_STORAGE = 'deconflict.key';
const POLL_MS = 5_000;
const OWN_COLOR = '#60a5fa';
const PARTY_COLORS = ['#f472b6', '#fb923c', '#facc15', '#4ade80', '#c084fc', '#2dd4bf', '#f87171', '#a3e635'];

const $ = (id) => document.getElementById(id);

class ConsoleApp {
  constructor() {
    this.session = 0; // bumped at each sign-in and sign-out: late answers of another session are dropped
    this.api = null;
    this.stream = null;
    this.clock = new ServerClock();
    this.resetState();

    this.map = new MapView($('map'), {});
    this.zoneEditor = new ZoneEditor($('zone-editor'), {
      map: this.map,
      api: () => this.api,
      saved: () => this.refreshSituation(),
      announce: (text) => this.announce(text),
      live: () => ({ situation: this.live.situation, viewer: this.viewer, replay: Boolean(this.replay) }),
    });
    // A zone of the party's own, selected on the map, can be edited or removed there.
    this.map.infoActions = (selection) => this.zoneEditor.infoActions(selection);
    this.alerts = new AlertList(
      { list: $('alerts'), empty: $('alerts-empty'), count: $('alerts-count'), filters: $('alerts-filters'), hidden: $('alerts-hidden') },
      {
        acknowledge: (alert) => this.acknowledgeAlert(alert),
        resolve: (alert, reason) => this.resolveAlert(alert, reason),
        askReason: (alert) => askReason(alert),
        show: (alert) => this.showOnMap({ type: 'alert', id: alert.id, units: alert.units, zone: alert.zone }),
        canShow: (alert) => this.map.canShow({ type: 'alert', units: alert.units, zone: alert.zone }),
        announce: (text) => this.announce(text),
      },
    );
    this.messages = new MessageLine(
      {
        form: $('compose-form'), fieldset: $('compose-form').querySelector('fieldset'), recipients: $('compose-recipients'),
        kind: $('compose-kind'), reference: $('compose-reference'), text: $('compose-text'), ack: $('compose-ack'),
        send: $('compose-send'), error: $('compose-error'), status: $('compose-status'),
        inbox: $('inbox'), outbox: $('outbox'), inboxCount: $('inbox-count'), outboxCount: $('outbox-count'),
        inboxEmpty: $('inbox-empty'), outboxEmpty: $('outbox-empty'), count: $('messages-count'),
      },
      {
        send: (message) => this.sendMessage(message),
        acknowledge: (message) => this.acknowledgeMessage(message),
        now: () => this.clock.now(),
        describeReference: (reference) => this.describeReference(reference),
        announce: (text) => this.announce(text),
      },
    );
    this.agreementPending = new Set();
    this.agreementErrors = new Map();
    this.agreementForm = new AgreementForm($('agreement-propose-area'), {
      propose: (agreement) => this.proposeAgreement(agreement),
      announce: (text) => this.announce(text),
    });
    this.operations = new OperationsPanel($('operations'), {
      check: (operation) => this.api.checkOperation(operation),
      file: (operation) => this.fileOperation(operation),
      notify: (operation) => this.notifyOperation(operation),
      setState: (operation, state) => this.setOperationState(operation, state),
      announce: (text) => this.announce(text),
      now: () => this.clock.now(),
      map: this.map,
      focusMap: () => $('map').focus({ preventScroll: false }),
    });
    this.timeline = new Timeline(
      { range: $('timeline'), output: $('timeline-value'), live: $('live'), back: $('timeline-back'), forward: $('timeline-forward'),
        play: $('timeline-play'), speed: $('timeline-speed'), stepSize: $('timeline-step') },
      { onReplay: (at) => this.enterReplay(at), onLive: (wasReplay) => this.leaveReplay(wasReplay) },
    );
    this.exporter = new Exporter(
      { csv: $('export-csv'), kml: $('export-kml'), geojson: $('export-geojson'), print: $('export-print'), note: $('exports-note'), status: $('exports-status') },
      () => ({
        api: this.api, viewer: this.viewer, situation: this.shown, replayAt: this.replay ? this.replay.at : null,
        messages: this.live.messages, trails: this.trails, unitLabel: (id) => this.unitLabel(id), zoneLabel: (id) => this.zoneLabel(id),
        colorOf: (party) => this.colorOf(party), describeReference: (reference) => this.describeReference(reference),
        mapSvg: $('map').querySelector('svg.map-svg'),
      }),
    );
    $('fit-mode').addEventListener('change', (event) => {
      this.map.fitMode = event.target.value;
      this.map.userMoved = false;
      this.map.fit();
    });

    this.refreshSituationSoon = debounce(() => this.refreshSituation(), 300, 1500);
    this.refreshMessagesSoon = debounce(() => this.refreshMessages(), 300, 1500);
    this.refreshIncidentsSoon = debounce(() => this.refreshIncidents(), 300, 1500);
    this.refreshPartiesSoon = debounce(() => this.refreshParties(), 300, 1500);

    $('signin-form').addEventListener('submit', (event) => {
      event.preventDefault();
      this.signInFromForm();
    });
    $('signout').addEventListener('click', () => this.signOut());
    $('replay-exit').addEventListener('click', () => this.timeline.goLive());
    setInterval(() => this.tick(), 1000);
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && this.api) this.refreshAll();
    });
  }

  resetState() {
    this.viewer = null;
    this.parties = [];
    this.responsibilities = [];
    this.live = { situation: null, messages: [], incidents: [] };
    this.replay = null; // {at, situation, loading}
    this.trails = new Map(); // unit id → [[lat, lon, ms], …]: the tracks received this session, joined
    this.alertEstimates = new Map(); // alert id → [[ms, secondsAhead], …] from the stream
    this.replaySequence = 0;
    this.inflight = {};
    this.again = {};
  }

  // MARK: start, sign-in and sign-out

  async start() {
    this.loadBasemap();
    const fragment = new URLSearchParams(location.hash.slice(1));
    const fromFragment = fragment.get('key');
    if (fromFragment) {
      // Never leave the key in the address bar or the history.
      history.replaceState(null, '', location.pathname + location.search);
    }
    const key = fromFragment || sessionStorage.getItem(KEY_STORAGE);
    if (key) await this.signIn(key.trim());
    else this.showSignIn();
  }

  async loadBasemap() {
    try {
      const response = await fetch('countries-110m.geojson');
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      this.map.setBasemap(await response.json());
    } catch (error) {
      this.notice('basemap', `The basemap could not be loaded (${error.message}); zones and units are still drawn.`);
    }
    // The regional detail (relief, borders, rivers, towns) around the seed's zone.
    try {
      const region = await loadRegion();
      this.map.setRegion(region);
      const attribution = document.querySelector('#map .attribution');
      if (attribution && region.attribution) {
        attribution.textContent = region.attribution;
        attribution.title = region.sources.map((source) => `${source.layer}: ${source.name}, ${source.licence}`).join('\n');
      }
    } catch (error) {
      this.notice('basemap-region', `The regional basemap could not be loaded (${error.message}); the world's borders are still drawn.`);
    }
  }

  showSignIn(message) {
    $('console').hidden = true;
    $('signin').hidden = false;
    const error = $('signin-error');
    error.hidden = !message;
    error.textContent = message ?? '';
    const input = $('signin-key');
    input.value = '';
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
    document.title = 'Deconflict — sign in';
    input.focus();
  }

  async signInFromForm() {
    const input = $('signin-key');
    const key = input.value.trim();
    if (!key) {
      this.showSignIn('Enter your party’s API key.');
      return;
    }
    const submit = $('signin-submit');
    submit.disabled = true;
    submit.textContent = 'Checking…';
    try {
      await this.signIn(key, { fromForm: true });
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  }

  async signIn(key, { fromForm = false } = {}) {
    this.stop();
    const session = ++this.session;
    const api = new Api(key, (error) => {
      if (session !== this.session) return;
      const established = this.api === api;
      this.signOut(`${established ? 'Signed out: the server refused the key' : 'Sign-in refused'} — ${error.describe()}`);
    });
    let situation;
    try {
      situation = await api.situation();
    } catch (error) {
      if (session !== this.session) return;
      if (error.status === 401) return; // handled by onUnauthorized
      // Keep the key for a retry when the server could not answer.
      this.showSignIn(`Could not sign in: ${error.describe()}`);
      return;
    }
    if (session !== this.session) return;
    sessionStorage.setItem(KEY_STORAGE, key);
    this.api = api;
    this.viewer = situation.viewer;
    $('signin').hidden = true;
    $('console').hidden = false;
    this.map.resize();
    this.applySituation(situation);
    $('viewer').textContent = situation.viewer;
    $('viewer').dataset.party = situation.viewer;
    document.title = `Deconflict — ${situation.viewer}`;
    this.messages.setEnabled(!isOperator(situation.viewer), 'The operator acts for no party: it cannot send messages.');
    this.render();
    // After the form, the focus goes on to the map (the form is gone).
    if (fromForm) $('map').focus({ preventScroll: true });
    this.stream = new EventStream(api, {
      onEvent: (event) => session === this.session && this.onEvent(event),
      onState: (state, detail) => session === this.session && this.showStreamState(state, detail),
    });
    // The situation already holds everything up to its sequence: the stream goes on from there.
    if (Number.isInteger(situation.sequence)) this.stream.lastSequence = situation.sequence;
    this.stream.start();
    this.refreshParties();
    this.refreshMessages();
    this.refreshIncidents();
    this.schedulePoll(session);
  }

  /** Ends the session: nothing of it stays on the page. */
  signOut(message) {
    const dialog = $('reason-dialog');
    if (dialog.open) dialog.close();
    this.stop();
    this.session += 1;
    sessionStorage.removeItem(KEY_STORAGE);
    this.resetState();
    this.clock.reset();
    this.alerts.reset();
    clear($('awaiting'));
    this.messages.reset();
    this.timeline.reset();
    this.map.clearData();
    this.agreementForm.reset();
    this.operations.reset();
    this.zoneEditor.reset();
    this.zoneEditor.status.textContent = '';
    this.agreementPending.clear();
    this.agreementErrors.clear();
    clear($('agreements'));
    clear($('responsibilities'));
    clear($('situation-list'));
    clear($('notices'));
    clear($('legend-list'));
    $('viewer').textContent = '';
    $('viewer').dataset.party = '';
    $('replay-banner').hidden = true;
    document.body.classList.remove('is-replay');
    this.showSignIn(message);
  }

  stop() {
    this.stream?.stop();
    this.stream = null;
    this.api?.close();
    this.api = null;
    clearTimeout(this.pollTimer);
    for (const refresh of [this.refreshSituationSoon, this.refreshMessagesSoon, this.refreshIncidentsSoon, this.refreshPartiesSoon]) refresh?.cancel();
  }

  // MARK: fetching

  schedulePoll(session) {
    clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(async () => {
      if (session !== this.session) return;
      if (!document.hidden) await this.refreshAll();
      this.schedulePoll(session);
    }, POLL_MS);
  }

  refreshAll() {
    return Promise.all([this.refreshSituation(), this.refreshMessages(), this.refreshIncidents()]);
  }

  /** Runs `load` unless one is under way (then once more after it), for this session only. */
  async guarded(name, load, apply) {
    if (!this.api) return;
    if (this.inflight[name]) {
      this.again[name] = true;
      return;
    }
    const session = this.session;
    this.inflight[name] = true;
    try {
      const result = await load(this.api);
      if (session !== this.session) return;
      this.clearNotice(name);
      this.clearNotice('network');
      apply(result);
    } catch (error) {
      if (session !== this.session || error.status === 401) return;
      if (error.status === 0) {
        // One notice while the server is out of reach, whatever was asked.
        this.notice('network', `${error.describe ? error.describe() : error}. Retrying every ${POLL_MS / 1000} s; what is shown may be out of date.`);
      } else {
        this.notice(name, `Could not refresh the ${name}: ${error.describe ? error.describe() : error}`);
      }
    } finally {
      if (session === this.session) {
        this.inflight[name] = false;
        if (this.again[name]) {
          this.again[name] = false;
          this.guarded(name, load, apply);
        }
      }
    }
  }

  refreshSituation() {
    return this.guarded('situation', (api) => api.situation(), (situation) => {
      this.applySituation(situation);
      this.render();
    });
  }

  refreshMessages() {
    return this.guarded('messages', (api) => api.messages(), (answer) => {
      this.live.messages = Array.isArray(answer?.messages) ? answer.messages : [];
      this.render();
    });
  }

  refreshIncidents() {
    return this.guarded('incidents', (api) => api.incidents(), (answer) => {
      this.live.incidents = Array.isArray(answer?.incidents) ? answer.incidents : [];
      this.render();
    });
  }

  refreshParties() {
    return this.guarded('parties', (api) => api.parties(), (answer) => {
      this.parties = Array.isArray(answer?.parties) ? answer.parties : [];
      this.responsibilities = Array.isArray(answer?.responsibilities) ? answer.responsibilities : [];
      this.messages.setParties(this.parties, this.viewer);
      this.agreementForm.setParties(this.parties, this.viewer);
      this.render();
    });
  }

  applySituation(situation) {
    this.live.situation = situation;
    this.joinTracks(situation);
    const time = ms(situation.time);
    this.clock.observe(time);
    this.timeline.setRange(situation.since ? ms(situation.since) : time, time);
  }

  /**
   * Each answer carries a unit's last few track points only; the ones received before
   * are kept (for the last half hour of reports) so that a fast-reporting unit shows
   * where it came from. A unit the party may no longer locate loses its trail.
   */
  joinTracks(situation) {
    const seen = new Set();
    for (const unit of situation.units ?? []) {
      if (unit.reference || !unit.lastReport) continue;
      seen.add(unit.id);
      const incoming = (unit.track ?? [])
        .filter((point) => Array.isArray(point) && point.length >= 3)
        .map(([lat, lon, time]) => [lat, lon, ms(time)])
        .filter((point) => !Number.isNaN(point[2]));
      const last = ms(unit.lastReport.time);
      if (!incoming.length || incoming[incoming.length - 1][2] < last) incoming.push([...unit.lastReport.position, last]);
      const previous = this.trails.get(unit.id) ?? [];
      const first = incoming[0][2];
      const kept = previous.filter((point) => point[2] < first);
      // A gap of more than ten minutes: the trail starts again.
      const joined = kept.length && first - kept[kept.length - 1][2] > 600_000 ? incoming : [...kept, ...incoming];
      this.trails.set(unit.id, joined.filter((point) => point[2] >= last - 1_800_000).slice(-2000));
    }
    for (const id of [...this.trails.keys()]) if (!seen.has(id)) this.trails.delete(id);
  }

  /** The live situation with each unit's joined trail as its track. */
  withTrails(situation) {
    return {
      ...situation,
      units: (situation.units ?? []).map((unit) => {
        const trail = this.trails.get(unit.id);
        return trail && !unit.reference ? { ...unit, track: trail.map(([lat, lon]) => [lat, lon]) } : unit;
      }),
    };
  }

  onEvent(event) {
    const type = String(event.type ?? '');
    // A read of other parties' units is recorded in the ledger (and streamed back): it
    // changes nothing shown, and refreshing on it would read again, forever.
    if (type === 'command' && event.data?.command === 'recordRead') return;
    // The signed ledger head, sent now and then: nothing on the map changes.
    if (type === 'ledger.head') {
      this.signedHead = event.data;
      return;
    }
    const alert = event.data?.alert;
    if (type.startsWith('alert.') && alert?.id && typeof alert.secondsAhead === 'number') {
      // When each estimate was made: the ETA is that instant plus `secondsAhead`.
      const history = this.alertEstimates.get(alert.id) ?? [];
      history.push([ms(event.time), alert.secondsAhead]);
      if (history.length > 200) history.splice(0, history.length - 200);
      this.alertEstimates.set(alert.id, history);
    }
    if (type.startsWith('message.')) this.refreshMessagesSoon();
    else if (type.startsWith('incident.')) this.refreshIncidentsSoon();
    else if (type.startsWith('party.') || type.startsWith('responsibility.')) this.refreshPartiesSoon();
    else this.refreshSituationSoon();
    // An alert about a message's subject, or a unit added with a message, may come with
    // either; the situation is cheap to ask for again.
    if (type.startsWith('alert.') || type.startsWith('message.')) this.refreshSituationSoon();
  }

  showStreamState(state, detail) {
    const element = $('stream-status');
    element.dataset.state = state;
    const texts = {
      connecting: 'Stream: connecting…',
      reconnecting: 'Stream: reconnecting…',
      open: 'Stream: live',
      closed: `Stream lost${detail ? ` (${detail})` : ''}; polling every ${POLL_MS / 1000} s`,
      waiting: `Stream lost; ${detail}; polling every ${POLL_MS / 1000} s`,
      error: `Stream error: ${detail}`,
    };
    element.textContent = texts[state] ?? state;
  }

  // MARK: replay

  async enterReplay(at) {
    if (!this.api) return;
    const sequence = ++this.replaySequence;
    const session = this.session;
    this.replay = { at, situation: this.replay?.situation ?? null, loading: true };
    this.showReplayBanner();
    try {
      // `since` is given to the millisecond, the first entry's time more finely: asking
      // for the instant just after it includes that entry.
      const query = Number.isNaN(this.timeline.since) ? at : Math.max(at, this.timeline.since + 1);
      const situation = await this.api.situation(isoTime(query));
      if (session !== this.session || sequence !== this.replaySequence || !this.replay) return;
      this.clearNotice('replay');
      this.replay = { at, situation, loading: false };
    } catch (error) {
      if (session !== this.session || sequence !== this.replaySequence || !this.replay || error.status === 401) return;
      this.replay.loading = false;
      this.notice('replay', `Could not load the situation at ${formatDateTime(at)}: ${error.describe ? error.describe() : error}`);
    }
    this.showReplayBanner();
    this.render();
  }

  leaveReplay() {
    this.replaySequence += 1;
    this.replay = null;
    this.clearNotice('replay');
    this.showReplayBanner();
    this.render();
  }

  showReplayBanner() {
    const banner = $('replay-banner');
    const replay = this.replay;
    document.body.classList.toggle('is-replay', Boolean(replay));
    $('map').classList.toggle('is-replay', Boolean(replay));
    $('map').setAttribute('aria-busy', replay?.loading ? 'true' : 'false');
    banner.hidden = !replay;
    if (!replay) return;
    const instant = $('replay-instant');
    instant.dateTime = isoTime(replay.at);
    instant.textContent = formatDateTime(replay.at) + (replay.loading ? ' (loading…)' : '');
    banner.dataset.at = isoTime(replay.at);
    banner.dataset.loading = replay.loading ? 'true' : 'false';
  }

  // MARK: actions

  async acknowledgeAlert(alert) {
    await this.api.acknowledgeAlert(alert.id);
    this.announce(`Alert ${alert.id} acknowledged.`);
    await this.refreshSituation();
  }

  async resolveAlert(alert, reason) {
    await this.api.resolveAlert(alert.id, reason);
    this.announce(`Alert ${alert.id} resolved.`);
    await this.refreshSituation();
  }

  async sendMessage(message) {
    const sent = await this.api.sendMessage(message);
    await this.refreshMessages();
    return sent;
  }

  async proposeAgreement(agreement) {
    const answer = await this.api.putAgreement(agreement);
    await this.refreshSituation();
    return answer;
  }

  /** Signs or withdraws the viewer's signature; a refusal is shown on the agreement. */
  async changeSignature(agreement, sign) {
    if (!sign && !(await confirmWithdrawal(agreement))) return;
    this.agreementPending.add(agreement.id);
    this.agreementErrors.delete(agreement.id);
    this.render();
    try {
      if (sign) await this.api.signAgreement(agreement.id);
      else await this.api.withdrawAgreement(agreement.id);
      this.announce(`${sign ? 'Signed' : 'Withdrew from'} agreement ${agreement.id}.`);
    } catch (error) {
      this.agreementErrors.set(agreement.id, error.describe ? error.describe() : String(error));
    } finally {
      this.agreementPending.delete(agreement.id);
      await this.refreshSituation();
      this.render();
    }
  }

  async fileOperation(operation) {
    const answer = await this.api.putOperation(operation);
    await this.refreshSituation();
    return answer;
  }

  async notifyOperation(operation) {
    const answer = await this.api.notifyOperation(operation.id);
    await Promise.all([this.refreshSituation(), this.refreshMessages()]);
    return answer;
  }

  async setOperationState(operation, state) {
    const answer = await this.api.setOperationState(operation.id, state);
    await this.refreshSituation();
    return answer;
  }

  async acknowledgeMessage(message) {
    await this.api.acknowledgeMessage(message.id);
    this.announce(`Message ${message.id} acknowledged.`);
    await this.refreshMessages();
  }

  showOnMap(selection) {
    this.map.select(selection, { center: true });
    const map = $('map');
    if (map.getBoundingClientRect().top < 0 || map.getBoundingClientRect().bottom > window.innerHeight) {
      map.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
    }
  }

  // MARK: drawing

  /** The situation shown: the replayed one in replay, else the live one. */
  get shown() {
    if (this.replay) return this.replay.situation;
    return this.live.situation;
  }

  colorOf(party) {
    if (party === this.viewer) return OWN_COLOR;
    const known = new Set(this.parties.map((entry) => entry.id));
    for (const unit of this.live.situation?.units ?? []) known.add(unit.party);
    known.delete(this.viewer);
    const others = [...known].sort();
    const index = others.indexOf(party);
    return PARTY_COLORS[(index < 0 ? others.length : index) % PARTY_COLORS.length];
  }

  unitLabel(id) {
    const unit = (this.shown?.units ?? []).find((entry) => entry.id === id) ?? (this.live.situation?.units ?? []).find((entry) => entry.id === id);
    if (!unit) return id;
    if (unit.reference) return `${id} (${unit.party}, position not shared)`;
    const name = unit.name || unit.id;
    return unit.party === this.viewer ? name : `${name} (${unit.party})`;
  }

  /**
   * The instant an alert's estimate points at (entry, closest approach): from the
   * alert's `updatedAt`, or, for older answers, when the stream told when the estimate
   * was made; else null.
   */
  etaOf(alert, at) {
    if (typeof alert.secondsAhead !== 'number') return null;
    // The server says when the estimate was made.
    if (alert.updatedAt) {
      const made = Date.parse(alert.updatedAt);
      if (Number.isFinite(made)) return made + alert.secondsAhead * 1000;
    }
    const history = this.alertEstimates.get(alert.id) ?? [];
    for (let index = history.length - 1; index >= 0; index -= 1) {
      const [time, seconds] = history[index];
      if (at !== null && time > at) continue;
      return Math.abs(seconds - alert.secondsAhead) < 1e-6 ? time + seconds * 1000 : null;
    }
    return null;
  }

  zoneLabel(id) {
    const zone = (this.shown?.zones ?? []).find((entry) => entry.id === id) ?? (this.live.situation?.zones ?? []).find((entry) => entry.id === id);
    return zone ? (zone.name || zone.id) : id;
  }

  describeReference(reference) {
    if (reference.zone) return `zone ${this.zoneLabel(reference.zone)}`;
    if (reference.alert) return `alert ${reference.alert}`;
    if (reference.operation) return `operation ${reference.operation}`;
    if (reference.message) return `message ${reference.message}`;
    return JSON.stringify(reference);
  }

  render() {
    const situation = this.shown;
    const viewer = this.viewer;
    if (!situation || !viewer) return;
    const at = this.replay ? this.replay.at : null;
    const incidents = at === null ? this.live.incidents : this.live.incidents.filter((incident) => ms(incident.recordedAt) <= at);
    const open = (situation.alerts ?? []).filter((alert) => alert.state !== 'resolved');
    this.map.setData(this.replay ? situation : this.withTrails(situation), {
      viewer,
      colorOf: (party) => this.colorOf(party),
      incidents,
      alertedUnits: open.flatMap((alert) => alert.units ?? []),
      alertedZones: open.map((alert) => alert.zone).filter(Boolean),
    });
    this.alerts.render({
      alerts: situation.alerts ?? [],
      viewer,
      replay: Boolean(this.replay),
      unitLabel: (id) => this.unitLabel(id),
      zoneLabel: (id) => this.zoneLabel(id),
      etaOf: (alert) => this.etaOf(alert, at),
    });
    this.alerts.tick(at ?? this.clock.now());
    const now = at ?? this.clock.now();
    renderAwaiting({ list: $('awaiting'), empty: $('awaiting-empty'), count: $('awaiting-count') }, {
      groups: awaitedAnswers({
        alerts: situation.alerts ?? [], messages: this.live.messages, now, agreements: situation.agreements,
        unitLabel: (id) => this.unitLabel(id), zoneLabel: (id) => this.zoneLabel(id),
      }),
      viewer, now, replay: Boolean(this.replay),
      open: (entry) => (entry.type === 'alert' ? this.alerts.reveal(entry.id) : revealMessage(entry.id)),
    });
    this.exporter.render();
    const liveOpen = (this.live.situation?.alerts ?? []).filter((alert) => alert.state !== 'resolved').length;
    document.title = `${liveOpen ? `(${liveOpen}) ` : ''}Deconflict — ${viewer}${this.replay ? ' — replay' : ''}`;
    this.messages.render({ messages: this.live.messages, viewer, at });
    this.messages.setEnabled(!this.replay && !isOperator(viewer),
      this.replay ? 'Replay: go back to live to send a message.' : 'The operator acts for no party: it cannot send messages.');
    const live = this.live.situation ?? situation;
    this.messages.setReferences([
      ['Zones', (live.zones ?? []).map((zone) => ({ value: `zone:${zone.id}`, label: zone.name || zone.id }))],
      ['Alerts', (live.alerts ?? []).filter((alert) => alert.state !== 'resolved').map((alert) => ({ value: `alert:${alert.id}`, label: `${alert.id} — ${alert.kind}` }))],
      ['Operations', (live.operations ?? []).map((operation) => ({ value: `operation:${operation.id}`, label: operation.name || operation.id }))],
    ]);
    const planningOff = this.replay ? 'Replay: go back to live to act on agreements and operations.'
      : isOperator(viewer) ? 'The operator acts for no party: it cannot sign, propose or file.' : null;
    renderAgreements($('agreements'), $('agreements-empty'), {
      agreements: situation.agreements ?? [], viewer, disabled: planningOff,
      actions: { sign: (agreement) => this.changeSignature(agreement, true), withdraw: (agreement) => this.changeSignature(agreement, false) },
      pending: this.agreementPending, errors: this.agreementErrors,
    });
    this.agreementForm.setDisabled(planningOff);
    this.zoneEditor.update({ situation: live, viewer, replay: Boolean(this.replay) });
    this.operations.render({ viewer, situation: this.replay ? situation : live, messages: this.live.messages, disabled: planningOff });
    renderResponsibilities($('responsibilities'), $('responsibilities-empty'), { responsibilities: this.responsibilities, viewer });
    renderSituationList($('situation-list'), {
      situation,
      incidents,
      viewer,
      colorOf: (party) => this.colorOf(party),
      show: (selection) => this.showOnMap(selection),
      canShow: (selection) => this.map.canShow(selection),
    });
    const parties = [...new Set([viewer, ...this.parties.map((party) => party.id)])].filter((party) => !isOperator(party));
    this.map.renderLegend($('legend-list'), parties, (party) => this.colorOf(party), viewer);
  }

  tick() {
    const now = this.clock.now();
    const element = $('server-time');
    if (Number.isNaN(now)) {
      element.textContent = '—';
    } else {
      element.textContent = formatDateTime(now);
      element.dateTime = isoTime(now);
    }
    this.messages.tick();
    this.alerts.tick(this.replay ? this.replay.at : now);
    tickAwaiting($('awaiting'), this.replay ? this.replay.at : now);
  }

  // MARK: notices

  notice(key, text) {
    const area = $('notices');
    let element = area.querySelector(`[data-notice="${CSS.escape(key)}"]`);
    if (!element) {
      element = h('div', { class: 'notice', role: 'alert', dataset: { notice: key } },
        h('span', { class: 'notice-text' }),
        h('button', { type: 'button', class: 'small', 'aria-label': 'Dismiss', text: 'Dismiss', onclick: () => element.remove() }));
      area.append(element);
    }
    element.querySelector('.notice-text').textContent = text;
  }

  clearNotice(key) {
    $('notices').querySelector(`[data-notice="${CSS.escape(key)}"]`)?.remove();
  }

  announce(text) {
    const announcer = $('announcer');
    announcer.textContent = '';
    // A change the screen reader notices.
    setTimeout(() => {
      announcer.textContent = `${formatClock(this.clock.now())}: ${text}`;
    }, 50);
  }
}

/** Scrolls to message `id` in the message line and focuses it. */
function revealMessage(id) {
  const item = $('messages').querySelector(`[data-message-id="${CSS.escape(id)}"]`);
  if (!item) return;
  item.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  item.focus({ preventScroll: true });
}

/** Asks for the reason an alert is resolved; null when the dialog is dismissed. */
function askReason(alert) {
  const dialog = $('reason-dialog');
  const form = $('reason-form');
  const text = $('reason-text');
  const error = $('reason-error');
  $('reason-subject').textContent = `Alert ${alert.id}: ${alert.kind}${alert.zone ? ` in ${alert.zone}` : ''}.`;
  text.value = '';
  error.hidden = true;
  const opener = document.activeElement;
  return new Promise((resolve) => {
    const finish = (value) => {
      form.removeEventListener('submit', onSubmit);
      $('reason-cancel').removeEventListener('click', onCancel);
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
      if (opener && document.contains(opener)) opener.focus();
      resolve(value);
    };
    const onSubmit = (event) => {
      event.preventDefault();
      const reason = text.value.trim();
      if (!reason) {
        error.textContent = 'Give a reason: it is recorded with the resolution.';
        error.hidden = false;
        text.focus();
        return;
      }
      finish(reason);
    };
    const onCancel = (event) => {
      event.preventDefault();
      finish(null);
    };
    form.addEventListener('submit', onSubmit);
    $('reason-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    text.focus();
  });
}

const app = new ConsoleApp();
app.start();
