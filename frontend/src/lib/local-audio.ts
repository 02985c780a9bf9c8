// Audio files the person chose in this tab, by track id, so the rhythm view can play them
// without sending them back over the network. Nothing here survives a reload.
const files = new Map<string, File>();

export function rememberAudio(trackId: string, file: File): void {
  files.set(trackId, file);
}

export function audioFor(trackId: string): File | undefined {
  return files.get(trackId);
}
