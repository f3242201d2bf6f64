/** Test helper shared by the client-reliability suites: one command's whole stdout over WinRS. */
import { WinRSShell, type WSManClient } from '../../src/session/index.js';

/** Runs `cmd` in a fresh WinRS shell and returns its stdout; the shell is always deleted. */
export async function winrsStdout(client: WSManClient, cmd: string): Promise<string> {
  const shell = await WinRSShell.open(client);
  try {
    const command = await shell.run(cmd);
    const parts: Buffer[] = [];
    for await (const chunk of command.output()) if (chunk.stream === 'stdout') parts.push(Buffer.from(chunk.data));
    return Buffer.concat(parts).toString('utf8');
  } finally {
    await shell.close();
  }
}
