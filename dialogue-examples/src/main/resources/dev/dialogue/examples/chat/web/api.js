// The HTTP side of the chat: sign-in, sign-up, sign-out and file uploads (docs/examples/chat.md).
// The token is kept in localStorage for the socket's auth; the server's HttpOnly cookie lets
// <img> and <audio> fetch files.

const TOKEN_KEY = 'chat.token';
const USER_KEY = 'chat.user';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message || code);
    this.status = status;
    this.code = code;
  }
}

export const session = {
  get token() {
    return localStorage.getItem(TOKEN_KEY);
  },
  get user() {
    try {
      return JSON.parse(localStorage.getItem(USER_KEY) || 'null');
    } catch {
      return null;
    }
  },
  save({ token, user }) {
    localStorage.setItem(TOKEN_KEY, token);
    localStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  clear() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
  },
};

async function answer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, (body && body.error) || `HTTP_${response.status}`,
      (body && body.message) || response.statusText || 'The request failed');
  }
  return body;
}

async function postJson(path, data, token) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, { method: 'POST', headers, body: JSON.stringify(data || {}), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached');
  }
  return answer(response);
}

export const signIn = (username, password) => postJson('/api/signin', { username, password });
export const signUp = (username, displayName, password) => postJson('/api/signup', { username, displayName, password });
export const signOut = (token) => postJson('/api/signout', {}, token);

/**
 * Uploads a file to a room: resolves with the File JSON. progress(fraction) is called as the bytes
 * go (XMLHttpRequest, since fetch has no upload progress).
 */
export function uploadFile(roomId, file, { name, durationMs, progress, signal } = {}) {
  return new Promise((resolve, reject) => {
    const params = new URLSearchParams({ roomId, name: name || file.name || 'file' });
    if (durationMs !== undefined) params.set('durationMs', String(Math.round(durationMs)));
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/files?${params}`);
    xhr.setRequestHeader('Authorization', `Bearer ${session.token}`);
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    xhr.upload.onprogress = (e) => progress && e.lengthComputable && progress(e.loaded / e.total);
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, (body && body.error) || `HTTP_${xhr.status}`, (body && body.message) || 'Upload failed'));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload failed: the server cannot be reached'));
    xhr.onabort = () => reject(new ApiError(0, 'ABORTED', 'Upload cancelled'));
    if (signal) signal.addEventListener('abort', () => xhr.abort());
    xhr.send(file);
  });
}

export const fileUrl = (id) => `/api/files/${encodeURIComponent(id)}`;
export const previewUrl = (id) => `/api/files/${encodeURIComponent(id)}/preview`;
