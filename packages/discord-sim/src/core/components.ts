// Owns message components as Discord checks and stores them (Discord docs: components/reference): legacy messages hold
// up to 5 action rows, each with up to 5 buttons or one select; buttons follow their style's rules; custom_ids are
// 1-100 characters and unique in the message; components without an `id` get sequential ones. IS_COMPONENTS_V2
// messages are checked only for their total (40) and custom_ids.
import type { Json } from '../types.js';
import type { FieldProblem } from './errors.js';

export const COMPONENT = { ACTION_ROW: 1, BUTTON: 2, STRING_SELECT: 3 } as const;
const SELECTS = new Set([3, 5, 6, 7, 8]);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkCustomId(c: Json, path: (string | number)[], seen: Set<string>, problems: FieldProblem[]): void {
  const id = c['custom_id'];
  if (typeof id !== 'string' || id.length < 1 || id.length > 100) {
    problems.push({
      path: [...path, 'custom_id'],
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 100 in length.',
    });
    return;
  }
  if (seen.has(id))
    problems.push({
      path: [...path, 'custom_id'],
      code: 'COMPONENT_CUSTOM_ID_DUPLICATED',
      message: 'Component custom id cannot be duplicated',
    });
  seen.add(id);
}

function checkButton(b: Json, path: (string | number)[], seen: Set<string>, problems: FieldProblem[]): void {
  const style = b['style'];
  if (typeof style !== 'number' || !Number.isInteger(style) || style < 1 || style > 6) {
    problems.push({
      path: [...path, 'style'],
      code: 'BASE_TYPE_CHOICES',
      message: 'Value must be one of (1, 2, 3, 4, 5, 6).',
    });
    return;
  }
  const label = b['label'];
  if (label !== undefined && (typeof label !== 'string' || label.length > 80))
    problems.push({
      path: [...path, 'label'],
      code: 'BASE_TYPE_MAX_LENGTH',
      message: 'Must be 80 or fewer in length.',
    });
  if (style <= 4) {
    checkCustomId(b, path, seen, problems);
    if (b['url'] !== undefined)
      problems.push({
        path: [...path, 'url'],
        code: 'BUTTON_COMPONENT_URL_NOT_ALLOWED',
        message: 'A non-link button cannot have a url',
      });
  } else if (style === 5) {
    const url = b['url'];
    if (typeof url !== 'string' || url.length < 1 || url.length > 512)
      problems.push({
        path: [...path, 'url'],
        code: 'BUTTON_COMPONENT_URL_REQUIRED',
        message: 'A link button must have a url (max 512)',
      });
    if (b['custom_id'] !== undefined)
      problems.push({
        path: [...path, 'custom_id'],
        code: 'BUTTON_COMPONENT_CUSTOM_ID_NOT_ALLOWED',
        message: 'A link button cannot have a custom_id',
      });
  } else if (typeof b['sku_id'] !== 'string') {
    problems.push({ path: [...path, 'sku_id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' });
  }
  if (style !== 6 && (typeof label !== 'string' || label === '') && !isObject(b['emoji']))
    problems.push({
      path: [...path],
      code: 'BUTTON_COMPONENT_MISSING_LABEL',
      message: 'A button needs a label or an emoji',
    });
}

function checkSelect(s: Json, path: (string | number)[], seen: Set<string>, problems: FieldProblem[]): void {
  checkCustomId(s, path, seen, problems);
  if (s['type'] !== COMPONENT.STRING_SELECT) return;
  const options = s['options'];
  if (!Array.isArray(options) || options.length < 1 || options.length > 25) {
    problems.push({
      path: [...path, 'options'],
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 25 in length.',
    });
    return;
  }
  options.forEach((o, i) => {
    for (const key of ['label', 'value'] as const) {
      const v = isObject(o) ? o[key] : undefined;
      if (typeof v !== 'string' || v.length < 1 || v.length > 100)
        problems.push({
          path: [...path, 'options', i, key],
          code: 'BASE_TYPE_BAD_LENGTH',
          message: 'Must be between 1 and 100 in length.',
        });
    }
  });
}

function checkRow(row: unknown, i: number, seen: Set<string>, problems: FieldProblem[]): void {
  const path = ['components', i];
  if (!isObject(row) || row['type'] !== COMPONENT.ACTION_ROW) {
    problems.push({
      path: [...path, 'type'],
      code: 'UNION_TYPE_CHOICES',
      message: 'Value of field "type" must be one of (1,).',
    });
    return;
  }
  const children = row['components'];
  if (!Array.isArray(children) || children.length < 1 || children.length > 5) {
    problems.push({
      path: [...path, 'components'],
      code: 'BASE_TYPE_BAD_LENGTH',
      message: 'Must be between 1 and 5 in length.',
    });
    return;
  }
  children.forEach((c, j) => {
    const cPath = [...path, 'components', j];
    if (!isObject(c)) {
      problems.push({ path: cPath, code: 'DICT_TYPE_CONVERT', message: 'Only dictionaries may be used in a DictType' });
    } else if (c['type'] === COMPONENT.BUTTON) {
      checkButton(c, cPath, seen, problems);
    } else if (typeof c['type'] === 'number' && SELECTS.has(c['type'])) {
      if (children.length > 1)
        problems.push({
          path: [...path, 'components'],
          code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED',
          message: 'The specified component exceeds the maximum width',
        });
      checkSelect(c, cPath, seen, problems);
    } else {
      problems.push({
        path: [...cPath, 'type'],
        code: 'UNION_TYPE_CHOICES',
        message: 'Value of field "type" must be one of (2, 3, 5, 6, 7, 8).',
      });
    }
  });
}

/** Every component of a tree, depth first (action row children, section accessories, container children). */
export function walkComponents(components: Json[], visit: (c: Json) => void): void {
  for (const c of components) {
    visit(c);
    if (Array.isArray(c['components'])) walkComponents(c['components'].filter(isObject), visit);
    if (isObject(c['accessory'])) walkComponents([c['accessory']], visit);
  }
}

/** Gives every component without an `id` the next unused integer, in tree order (a copy; the input is not touched). */
export function assignComponentIds(components: Json[]): Json[] {
  const copy = structuredClone(components);
  const used = new Set<number>();
  walkComponents(copy, (c) => {
    if (typeof c['id'] === 'number') used.add(c['id']);
  });
  let next = 1;
  walkComponents(copy, (c) => {
    if (typeof c['id'] === 'number') return;
    while (used.has(next)) next += 1;
    c['id'] = next;
    used.add(next);
  });
  return copy;
}

export function validateComponents(raw: unknown, v2: boolean, problems: FieldProblem[]): Json[] {
  if (!Array.isArray(raw)) {
    problems.push({ path: ['components'], code: 'BASE_TYPE_LIST', message: 'Must be a list.' });
    return [];
  }
  const seen = new Set<string>();
  if (v2) {
    let total = 0;
    walkComponents(raw.filter(isObject), (c) => {
      total += 1;
      if (c['custom_id'] !== undefined) checkCustomId(c, ['components'], seen, problems);
    });
    if (total > 40)
      problems.push({ path: ['components'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 40 or fewer in length.' });
  } else {
    if (raw.length > 5)
      problems.push({ path: ['components'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 5 or fewer in length.' });
    raw.forEach((row, i) => {
      checkRow(row, i, seen, problems);
    });
  }
  return assignComponentIds(raw.filter(isObject));
}

/** The interactive component with this custom_id in a message's components, if any. */
export function findComponent(components: Json[], customId: string): Json | undefined {
  let found: Json | undefined;
  walkComponents(components, (c) => {
    if (found === undefined && c['custom_id'] === customId) found = c;
  });
  return found;
}
