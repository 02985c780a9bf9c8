import { uploadFile } from '@/api/upload-file';
import type { UploadJob } from '@/api/types';

export function uploadAudio(file: File, onProgress: (fraction: number) => void, signal?: AbortSignal): Promise<UploadJob> {
  return uploadFile<UploadJob>('uploads', file, onProgress, signal);
}
