import type { MapRegistry } from '@edi/mapping';
import { runInput, type Defect } from './harness';
import type { Random } from './random';

/**
 * Shrinks a defect input for a regression case: drops halves, quarters… of it (ddmin over bytes)
 * while the same defect (type and stage) remains. The harness draws chunking and ack flags from
 * a fresh generator each try, so every try is judged the same way.
 */
export async function minimize(
  input: Buffer,
  registry: MapRegistry,
  random: () => Random,
  budget = 2000,
): Promise<Buffer> {
  const first = await defectOf(input, registry, random());
  if (!first) return input;
  const same = async (b: Buffer) => {
    const d = await defectOf(b, registry, random());
    return d?.type === first.type && d.stage === first.stage;
  };
  let best = input;
  let size = Math.max(1, best.length >> 1);
  for (let tries = 0; size >= 1 && tries < budget;) {
    let shrunk = false;
    for (let from = 0; from < best.length && tries < budget; tries++) {
      const candidate = Buffer.concat([best.subarray(0, from), best.subarray(from + size)]);
      if (candidate.length && (await same(candidate))) {
        best = candidate;
        shrunk = true;
      } else from += size;
    }
    if (!shrunk) size >>= 1;
  }
  return best;
}

async function defectOf(input: Buffer, registry: MapRegistry, r: Random): Promise<Defect | undefined> {
  const outcome = await runInput(input, registry, r);
  return outcome.kind === 'defect' ? outcome.defect : undefined;
}
