// The message composer (channel and thread): Enter sends, Shift+Enter a new line; attachments by
// button, paste or drop (uploaded at once); voice notes with MediaRecorder; typing notices at most
// every 3 s; a notice line for refusals (muted, slow mode, ...). Test ids take a prefix ("thread-").
import { h, icon, formatDuration } from './dom.js';
import { uploadFile } from './api.js';

const TYPING_EVERY_MS = 3000;
const VOICE_MAX_MS = 2 * 60 * 1000;

export class Composer {
  /**
   * opts: {prefix, placeholder, roomId(): string, onSend({text, files}) -> bool|Promise,
   *        onTyping(), onEditLast(), dropZone: Element}
   */
  constructor(opts) {
    this.opts = opts;
    this.prefix = opts.prefix || '';
    this.attachments = []; // {file, chip, state: 'uploading'|'done'|'failed', result, promise}
    this.drafts = new Map();
    this.roomKey = null;
    this.lastTyping = 0;
    this.recorder = null;
    this.noticeTimer = null;
    this.build();
  }

  tid(name) {
    return this.prefix + name;
  }

  build() {
    const p = (n) => this.tid(n);
    this.typing = h('div.typing-indicator', { testid: p('typing-indicator'), 'aria-live': 'polite' });
    this.notice = h('div.composer-notice', { testid: p('composer-notice'), role: 'status', hidden: true });
    this.input = h('textarea.composer-input', {
      testid: p('composer-input'), rows: '1', placeholder: this.opts.placeholder || 'Write a message', 'aria-label': this.opts.placeholder || 'Write a message', maxlength: '4000',
    });
    this.fileInput = h('input', { type: 'file', multiple: true, hidden: true, testid: p('file-input'), tabindex: '-1', 'aria-hidden': 'true' });
    this.attachList = h('div.attachments', { testid: p('attachments'), hidden: true });
    this.attachBtn = h('button.icon-btn', { type: 'button', testid: p('attach-button'), 'aria-label': 'Attach files', title: 'Attach files' }, icon('clip'));
    this.voiceBtn = h('button.icon-btn.voice-button', { type: 'button', testid: p('voice-button'), 'aria-label': 'Record a voice note', title: 'Record a voice note (up to 2 minutes)', 'aria-pressed': 'false' }, icon('mic'));
    this.sendBtn = h('button.send-button', { type: 'button', testid: p('send-button'), 'aria-label': 'Send', title: 'Send (Enter)', disabled: true }, icon('send'));
    this.recording = h('div.voice-recording', { testid: p('voice-recording'), hidden: true, role: 'status' });
    this.box = h('div.composer', this.attachList, this.recording, this.input,
      h('div.composer-bar', this.attachBtn, this.voiceBtn, h('span.spacer'), this.sendBtn), this.fileInput);
    this.el = h('div.composer-wrap', this.notice, this.box, this.typing);

    this.input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
        e.preventDefault();
        this.send();
      } else if (e.key === 'ArrowUp' && !this.input.value && this.opts.onEditLast) {
        if (this.opts.onEditLast()) e.preventDefault();
      }
    });
    this.input.addEventListener('input', () => {
      this.autosize();
      this.updateSend();
      if (this.input.value.trim() && Date.now() - this.lastTyping > TYPING_EVERY_MS) {
        this.lastTyping = Date.now();
        this.opts.onTyping && this.opts.onTyping();
      }
    });
    this.input.addEventListener('paste', (e) => {
      const files = [...(e.clipboardData?.files || [])];
      if (files.length) {
        e.preventDefault();
        this.addFiles(files);
      }
    });
    this.attachBtn.addEventListener('click', () => this.fileInput.click());
    this.fileInput.addEventListener('change', () => {
      this.addFiles([...this.fileInput.files]);
      this.fileInput.value = '';
    });
    this.sendBtn.addEventListener('click', () => this.send());
    this.voiceBtn.addEventListener('click', () => (this.recorder ? this.stopRecording(true) : this.startRecording()));

    const zone = this.opts.dropZone || this.box;
    let depth = 0;
    zone.addEventListener('dragenter', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth++;
      this.box.classList.add('dragging');
    });
    zone.addEventListener('dragover', (e) => {
      if (hasFiles(e)) e.preventDefault();
    });
    zone.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (!depth) this.box.classList.remove('dragging');
    });
    zone.addEventListener('drop', (e) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      this.box.classList.remove('dragging');
      this.addFiles([...e.dataTransfer.files]);
    });
  }

  /** Switches the composer to another room (or thread): keeps each one's draft. */
  setRoom(key, placeholder) {
    if (this.roomKey !== null) this.drafts.set(this.roomKey, this.input.value);
    this.roomKey = key;
    this.input.value = this.drafts.get(key) || '';
    if (placeholder) {
      this.input.placeholder = placeholder;
      this.input.setAttribute('aria-label', placeholder);
    }
    this.clearAttachments();
    this.hideNotice();
    this.setTyping('');
    this.autosize();
    this.updateSend();
  }

  focus() {
    this.input.focus({ preventScroll: true });
  }

  autosize() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, window.innerHeight * 0.4)}px`;
  }

  updateSend() {
    this.sendBtn.disabled = !this.input.value.trim() && !this.attachments.some((a) => a.state !== 'failed');
  }

  setTyping(text) {
    this.typing.textContent = text;
  }

  // ---- notices ----

  showNotice(text, { kind = 'warn', ms = 8000, until } = {}) {
    clearInterval(this.noticeTimer);
    this.notice.hidden = false;
    this.notice.classList.toggle('error', kind === 'error');
    if (typeof text === 'function') {
      const tick = () => {
        const now = Date.now();
        if (until && now >= until) {
          this.hideNotice();
          return;
        }
        this.notice.textContent = text(now);
      };
      tick();
      this.noticeTimer = setInterval(tick, 500);
    } else {
      this.notice.textContent = text;
      if (ms) this.noticeTimer = setTimeout(() => this.hideNotice(), ms);
    }
  }

  hideNotice() {
    clearInterval(this.noticeTimer);
    clearTimeout(this.noticeTimer);
    this.notice.hidden = true;
    this.notice.textContent = '';
  }

  // ---- attachments ----

  addFiles(files) {
    const roomId = this.opts.roomId();
    if (!roomId) return;
    for (const file of files) {
      if (this.attachments.length >= 10) {
        this.showNotice('At most 10 files per message.');
        break;
      }
      if (file.size > 10 * 1024 * 1024) {
        this.showNotice(`${file.name} is larger than 10 MB.`, { kind: 'error' });
        continue;
      }
      this.upload(roomId, file);
    }
    this.updateSend();
  }

  upload(roomId, file, extra = {}) {
    const bar = h('span.bar', { style: 'width:0%' });
    const remove = h('button.icon-btn', { type: 'button', 'aria-label': `Remove ${file.name}`, title: 'Remove' }, icon('close'));
    const chip = h('span.attachment-chip', { testid: this.tid('attachment-chip'), 'data-state': 'uploading', title: file.name },
      icon(file.type?.startsWith('audio/') ? 'mic' : 'file'), h('span.name', file.name), remove, bar);
    const controller = new AbortController();
    const att = { file, chip, state: 'uploading', result: null };
    att.promise = uploadFile(roomId, file, { ...extra, signal: controller.signal, progress: (f) => { bar.style.width = `${Math.round(f * 100)}%`; } })
      .then((result) => {
        att.state = 'done';
        att.result = result;
        chip.dataset.state = 'done';
        chip.setAttribute('data-file-id', result.id);
        bar.remove();
        return result;
      }, (e) => {
        att.state = 'failed';
        chip.dataset.state = 'failed';
        bar.remove();
        if (e.code !== 'ABORTED') this.showNotice(`${file.name}: ${e.message}`, { kind: 'error' });
        return null;
      })
      .finally(() => this.updateSend());
    remove.addEventListener('click', () => {
      controller.abort();
      this.attachments = this.attachments.filter((a) => a !== att);
      chip.remove();
      this.attachList.hidden = !this.attachments.length;
      this.updateSend();
      this.focus();
    });
    this.attachments.push(att);
    this.attachList.append(chip);
    this.attachList.hidden = false;
    return att;
  }

  clearAttachments() {
    this.attachments = [];
    this.attachList.replaceChildren();
    this.attachList.hidden = true;
  }

  // ---- sending ----

  async send() {
    const text = this.input.value.trim();
    const pending = this.attachments;
    if (!text && !pending.some((a) => a.state !== 'failed')) return;
    if (text.length > 4000) {
      this.showNotice('A message is at most 4,000 characters.', { kind: 'error' });
      return;
    }
    if (pending.some((a) => a.state === 'uploading')) {
      this.showNotice('Waiting for the uploads to finish…', { ms: 0 });
      this.sendBtn.disabled = true;
      await Promise.all(pending.map((a) => a.promise));
      this.hideNotice();
      if (this.attachments !== pending) return; // switched room meanwhile
    }
    const files = pending.filter((a) => a.state === 'done').map((a) => a.result);
    if (!text && !files.length) return;
    const body = text || (files.length === 1 ? `📎 ${files[0].name}` : `📎 ${files.length} files`);
    this.input.value = '';
    this.clearAttachments();
    this.autosize();
    this.updateSend();
    this.lastTyping = 0;
    this.opts.onSend({ text: body, files });
  }

  // ---- voice notes ----

  async startRecording() {
    const roomId = this.opts.roomId();
    if (!roomId) return;
    if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') {
      this.showNotice('Voice notes need a browser with microphone recording.', { kind: 'error' });
      return;
    }
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (e) {
      this.showNotice(e && e.name === 'NotAllowedError' ? 'Microphone access was refused.' : 'No microphone is available.', { kind: 'error' });
      return;
    }
    const type = ['audio/webm;codecs=opus', 'audio/webm', 'audio/ogg;codecs=opus', 'audio/ogg'].find((t) => MediaRecorder.isTypeSupported(t));
    let recorder;
    try {
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    } catch {
      stream.getTracks().forEach((t) => t.stop());
      this.showNotice('This browser cannot record audio.', { kind: 'error' });
      return;
    }
    const chunks = [];
    const started = Date.now();
    const state = { recorder, stream, started, keep: true, roomId };
    this.recorder = state;
    recorder.ondataavailable = (e) => e.data && e.data.size && chunks.push(e.data);
    recorder.onstop = () => {
      stream.getTracks().forEach((t) => t.stop());
      clearInterval(state.timer);
      this.recording.hidden = true;
      this.voiceBtn.setAttribute('aria-pressed', 'false');
      this.voiceBtn.setAttribute('aria-label', 'Record a voice note');
      this.recorder = null;
      const durationMs = Math.min(VOICE_MAX_MS, Date.now() - started);
      if (!state.keep || !chunks.length) return;
      const mime = (recorder.mimeType || type || 'audio/webm').split(';')[0];
      const ext = mime === 'audio/ogg' ? 'ogg' : 'webm';
      const blob = new Blob(chunks, { type: mime });
      const file = new File([blob], `voice-note-${new Date(started).toISOString().slice(0, 19).replace(/[T:]/g, '-')}.${ext}`, { type: mime });
      this.sendVoice(state.roomId, file, durationMs);
    };
    recorder.start(250);
    const time = h('span.rec-time', '0:00');
    this.recording.replaceChildren(
      h('span.rec-dot', { 'aria-hidden': 'true' }), h('span', 'Recording'), time, h('span.rec-max', 'max 2:00'),
      h('button.btn.btn-small.btn-ghost', { type: 'button', onclick: () => this.stopRecording(false) }, 'Cancel'),
      h('button.btn.btn-small.btn-primary', { type: 'button', testid: this.tid('voice-stop'), 'aria-label': 'Stop and send the voice note', onclick: () => this.stopRecording(true) }, icon('stop'), 'Stop & send'));
    this.recording.hidden = false;
    this.voiceBtn.setAttribute('aria-pressed', 'true');
    this.voiceBtn.setAttribute('aria-label', 'Stop recording and send');
    state.timer = setInterval(() => {
      const elapsed = Date.now() - started;
      time.textContent = formatDuration(elapsed);
      if (elapsed >= VOICE_MAX_MS) this.stopRecording(true);
    }, 250);
  }

  stopRecording(keep) {
    const state = this.recorder;
    if (!state) return;
    state.keep = keep;
    if (state.recorder.state !== 'inactive') state.recorder.stop();
  }

  async sendVoice(roomId, file, durationMs) {
    if (roomId !== this.opts.roomId()) return;
    const att = this.upload(roomId, file, { durationMs });
    this.updateSend();
    const result = await att.promise;
    this.attachments = this.attachments.filter((a) => a !== att);
    att.chip.remove();
    this.attachList.hidden = !this.attachments.length;
    this.updateSend();
    if (!result) return;
    this.opts.onSend({ text: `🎤 Voice note (${formatDuration(durationMs)})`, files: [result] });
  }
}

function hasFiles(e) {
  return !!e.dataTransfer && [...e.dataTransfer.types].includes('Files');
}
