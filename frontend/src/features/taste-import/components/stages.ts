import type { TasteImport } from '@/api/types';

/** What each stage of an import is doing, in the words the page shows. */
export const STAGE_LABELS: Record<TasteImport['stage'], string> = {
  queued: 'Waiting for the worker',
  reading: 'Reading your files',
  storing: 'Storing your plays',
  matching: 'Matching tracks to the catalog',
  features: 'Fetching audio features',
  taste: 'Drawing your taste',
  done: 'Done',
  failed: 'Failed',
};

export const SOURCE_HOW: Record<string, string> = {
  uri: 'by Spotify link',
  'name+duration': 'by artist, title and length',
  name: 'by artist and title',
  unmatched: 'not found',
};
