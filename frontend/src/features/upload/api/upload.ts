// Uploads go through XMLHttpRequest because fetch cannot report upload progress.
import { ApiError, buildUrl, csrfToken } from '@/api/client';
import type { ErrorBody, UploadJob } from '@/api/types';

export function uploadAudio(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadJob> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', buildUrl('uploads'));
    xhr.setRequestHeader('X-CSRFToken', csrfToken());
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.withCredentials = true;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // fall through
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        onProgress(1);
        resolve(body as UploadJob);
        return;
      }
      const err = (body as ErrorBody | null)?.error;
      reject(err ? new ApiError(err.status ?? xhr.status, err.code, err.message, (err.details as Record<string, unknown> | null) ?? null) : new ApiError(xhr.status, 'http', `The server answered ${xhr.status}.`));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload could not reach the server.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled.'));
    signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.append('file', file);
    xhr.send(form);
  });
}
