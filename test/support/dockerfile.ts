// Owns reading the Dockerfile the way `docker build` does, for tests (Docker does not run here): its stages, each with
// its instructions in order, comments dropped and `\` continuations folded.
import { readFileSync } from 'node:fs';

export type Step = readonly [keyword: string, args: string];
export interface Stage {
  /** The name after `AS` (or the base image when unnamed). */
  name: string;
  /** The stage it starts from when that is a stage of this file, else null (an image). */
  from: string | null;
  steps: Step[];
}

export function readDockerfile(path: string): Stage[] {
  const steps: Step[] = readFileSync(path, 'utf8')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => [l.split(/\s+/)[0]!.toUpperCase(), l.slice(l.indexOf(' ') + 1).trim()] as const);
  const stages: Stage[] = [];
  for (const step of steps) {
    if (step[0] === 'FROM') {
      const [image, as, name] = step[1].split(/\s+/);
      const from = stages.some((s) => s.name === image) ? image! : null;
      stages.push({ name: as?.toUpperCase() === 'AS' && name ? name : image!, from, steps: [] });
    } else {
      const stage = stages.at(-1);
      if (!stage) throw new Error(`Dockerfile: ${step[0]} before any FROM`);
      stage.steps.push(step);
    }
  }
  return stages;
}

/** The instructions a stage runs, its parents' first (what `docker build --target name` executes). */
export function stageSteps(stages: readonly Stage[], name: string): Step[] {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`Dockerfile: no stage named ${name} (has ${stages.map((s) => s.name).join(', ')})`);
  return [...(stage.from ? stageSteps(stages, stage.from) : []), ...stage.steps];
}

/** A COPY's sources and destination, flags (`--chown=…`) dropped. */
export function copyArgs(args: string): { sources: string[]; dest: string } {
  const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
  return { sources: words.slice(0, -1), dest: words.at(-1)! };
}

/** The exec-form command of the last CMD of the steps. */
export function command(steps: readonly Step[]): string[] {
  const cmd = steps.filter(([k]) => k === 'CMD').at(-1);
  if (!cmd) throw new Error('Dockerfile: no CMD');
  return JSON.parse(cmd[1]) as string[];
}
