// Owns the checks of message bodies: which fields are read how, the flags each request may set, the layout rules of
// components, component ids, and what counts as an empty message.
import { describe, expect, it } from 'vitest';
import { assignComponentIds, findComponent } from '../../src/core/components.js';
import { DiscordApiError } from '../../src/core/errors.js';
import { isEmptyMessage, MESSAGE_FLAG, readMessageBody } from '../../src/core/message-body.js';

function formErrors(run: () => unknown): Record<string, unknown> {
  try {
    run();
  } catch (error) {
    if (error instanceof DiscordApiError) return { code: error.code, ...(error.errors ?? {}) };
  }
  throw new Error('expected a DiscordApiError');
}

const button = (custom_id: string, extra: Record<string, unknown> = {}) => ({
  type: 2,
  style: 1,
  label: 'Go',
  custom_id,
  ...extra,
});

describe('readMessageBody', () => {
  it('drops flags a create may not set and keeps those it may', () => {
    const m = readMessageBody({ content: 'x', flags: MESSAGE_FLAG.EPHEMERAL | MESSAGE_FLAG.SUPPRESS_EMBEDS }, 'create');
    expect(m.flags).toBe(MESSAGE_FLAG.SUPPRESS_EMBEDS);
    const reply = readMessageBody({ content: 'x', flags: MESSAGE_FLAG.EPHEMERAL }, 'interaction');
    expect(reply.flags).toBe(MESSAGE_FLAG.EPHEMERAL);
  });

  it('an edit changes only the editable flags and keeps the others', () => {
    const previous = MESSAGE_FLAG.EPHEMERAL | MESSAGE_FLAG.LOADING;
    const m = readMessageBody({ flags: MESSAGE_FLAG.SUPPRESS_EMBEDS }, 'edit', previous);
    expect(m.flags).toBe(previous | MESSAGE_FLAG.SUPPRESS_EMBEDS);
  });

  it('null clears a field on edits and is absent on creates', () => {
    expect(readMessageBody({ content: null, components: null }, 'edit')).toEqual({ content: '', components: [] });
    expect(readMessageBody({ content: null, components: null }, 'create')).toEqual({});
  });

  it('names every problem by path in one 50035', () => {
    const errors = formErrors(() =>
      readMessageBody(
        { content: 7, embeds: [{ title: 'x'.repeat(257), fields: [{ name: 'a' }] }], nonce: 'n'.repeat(26) },
        'create',
      ),
    );
    expect(errors['code']).toBe(50035);
    expect(errors).toMatchObject({
      content: { _errors: [{ code: 'BASE_TYPE_STRING' }] },
      embeds: {
        0: {
          title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] },
          fields: { 0: { value: { _errors: [{ code: 'BASE_TYPE_REQUIRED' }] } } },
        },
      },
      nonce: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] },
    });
  });

  it('embeds together may hold 6000 characters', () => {
    const embed = (n: number) => ({ description: 'd'.repeat(n) });
    expect(() => readMessageBody({ embeds: [embed(3000), embed(3000)] }, 'create')).not.toThrow();
    const errors = formErrors(() => readMessageBody({ embeds: [embed(3000), embed(3001)] }, 'create'));
    expect(errors).toMatchObject({ embeds: { _errors: [{ code: 'MAX_EMBED_SIZE_EXCEEDED' }] } });
  });

  it('legacy components: rows only at the top, a select alone in its row, at most 5 rows', () => {
    const select = { type: 3, custom_id: 's', options: [{ label: 'A', value: 'a' }] };
    expect(formErrors(() => readMessageBody({ components: [button('a')] }, 'create'))).toMatchObject({
      components: { 0: { type: { _errors: [{ code: 'UNION_TYPE_CHOICES' }] } } },
    });
    expect(
      formErrors(() => readMessageBody({ components: [{ type: 1, components: [select, button('b')] }] }, 'create')),
    ).toMatchObject({
      components: { 0: { components: { _errors: [{ code: 'COMPONENT_LAYOUT_WIDTH_EXCEEDED' }] } } },
    });
    const rows = Array.from({ length: 6 }, (_, i) => ({ type: 1, components: [button(`b${i}`)] }));
    expect(formErrors(() => readMessageBody({ components: rows }, 'create'))).toMatchObject({
      components: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH' }] },
    });
  });

  it('button rules: style range, custom_id length, a label or an emoji', () => {
    const one = (b: unknown) => readMessageBody({ components: [{ type: 1, components: [b] }] }, 'create');
    expect(formErrors(() => one(button('a', { style: 7 })))).toMatchObject({
      components: { 0: { components: { 0: { style: {} } } } },
    });
    expect(formErrors(() => one(button('x'.repeat(101))))).toMatchObject({
      components: { 0: { components: { 0: { custom_id: {} } } } },
    });
    expect(formErrors(() => one({ type: 2, style: 1, custom_id: 'a' }))).toMatchObject({
      components: { 0: { components: { 0: { _errors: [{ code: 'BUTTON_COMPONENT_MISSING_LABEL' }] } } } },
    });
    expect(() => one({ type: 2, style: 1, custom_id: 'a', emoji: { name: '✅' } })).not.toThrow();
  });

  it('IS_COMPONENTS_V2 messages may not carry content', () => {
    const errors = formErrors(() =>
      readMessageBody(
        { content: 'x', flags: MESSAGE_FLAG.IS_COMPONENTS_V2, components: [{ type: 10, content: 'hi' }] },
        'create',
      ),
    );
    expect(Object.keys(errors)).toEqual(['code', 'content']);
  });
});

describe('components', () => {
  it('ids are given in tree order, skipping ids already used, without touching the input', () => {
    const input = [{ type: 1, components: [button('a', { id: 2 }), button('b')] }];
    expect(assignComponentIds(input)).toEqual([
      {
        type: 1,
        id: 1,
        components: [
          { ...button('a'), id: 2 },
          { ...button('b'), id: 3 },
        ],
      },
    ]);
    expect(input[0]).not.toHaveProperty('id');
  });

  it('findComponent finds a button by custom_id inside rows', () => {
    const comps = [{ type: 1, components: [button('a'), button('b', { label: 'B' })] }];
    expect(findComponent(comps, 'b')?.['label']).toBe('B');
    expect(findComponent(comps, 'c')).toBeUndefined();
  });
});

describe('isEmptyMessage', () => {
  const empty = { content: '', embeds: [], components: [], attachments: [] };
  it('whitespace is empty; any embed, component, attachment or sticker is not', () => {
    expect(isEmptyMessage({ ...empty, content: ' \n' })).toBe(true);
    expect(isEmptyMessage({ ...empty, embeds: [{}] })).toBe(false);
    expect(isEmptyMessage({ ...empty, components: [{}] })).toBe(false);
    expect(isEmptyMessage({ ...empty, attachments: [{}] })).toBe(false);
    expect(isEmptyMessage({ ...empty, stickerIds: ['1'] })).toBe(false);
  });
});
