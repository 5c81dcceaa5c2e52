import { JsonTreeWriter, X12Issue, readX12 } from '@edi/x12';
import { OutputBuffer, openInput, progress } from '../io';

/** `edi parse FILE|-`: the tree as JSON, written while the file streams in. */
export async function parseCommand(file: string, opts: { pretty?: boolean }): Promise<number> {
  const { stream, size } = openInput(file);
  const out = new OutputBuffer(process.stdout);
  const collected: string[] = [];
  const sink = opts.pretty ? (t: string) => void collected.push(t) : out.write;
  const writer = new JsonTreeWriter(sink);
  let fatal: X12Issue | undefined;
  const shown = progress(size);
  writer.begin();
  const { tokenizer } = await readX12(
    stream,
    {
      onSegment: (s, role) => writer.onSegment(s, role),
      onTransaction: () => writer.onTransaction(),
      onGroup: () => writer.onGroup(),
      onInterchange: () => writer.onInterchange(),
      onIssue: (i) => {
        if (i.fatal) fatal = i;
      },
    },
    {
      onChunk: async (n) => {
        shown(n);
        await out.flush();
      },
    },
  );
  if (fatal) {
    await out.flush(true);
    process.stderr.write(`edi parse: ${fatal.message}\n`);
    return 1;
  }
  writer.finish(tokenizer.leading);
  if (opts.pretty) out.write(JSON.stringify(JSON.parse(collected.join('')), null, 2) + '\n');
  await out.flush(true);
  return 0;
}
