/** File copy over PowerShell remoting (Copy-Item -ToSession / -FromSession): the public surface. */
export { parseCopyLocation, baseName, joinRemote, hostFolderName, safeRelativeParts, isInside, type CopyLocation } from './paths.js';
export { upload, download, type CopyTreeOptions, type CopyPlanEvents } from './tree.js';
export {
  uploadFile, downloadFile, sha256File, DEFAULT_CHUNK, type CopyRecord, type CopySession, type TransferOptions,
} from './transfer.js';
