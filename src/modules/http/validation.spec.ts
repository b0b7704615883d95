import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsArray, IsString, ValidateNested } from 'class-validator';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { checkItemLimits, MaxItems, toDto } from './validation';

class Inner {
  @IsString() name!: string;
}

class Outer {
  @IsArray() @MaxItems('max_tools') @ValidateNested({ each: true }) @Type(() => Inner)
  items!: Inner[];

  @MaxItems(2)
  pair?: unknown[];
}

describe('toDto', () => {
  it('builds nested DTOs and keeps everything else as it came, without copying it', () => {
    const big = Array(100_000).fill(7);
    const dto = toDto(Outer, { items: [{ name: 'a' }, 'not an object'], extra: big });
    expect(dto).toBeInstanceOf(Outer);
    expect(dto.items[0]).toBeInstanceOf(Inner);
    expect(dto.items[1]).toBe('not an object');
    expect((dto as unknown as { extra: unknown }).extra).toBe(big);
  });
});

describe('checkItemLimits', () => {
  const settings = Object.assign(new Settings(), { max_tools: 3 });
  it('refuses an array longer than its limit, naming the field and the setting', () => {
    expect(() => checkItemLimits(Outer, { items: [1, 2, 3] }, settings)).not.toThrow();
    let error: unknown;
    try {
      checkItemLimits(Outer, { items: [1, 2, 3, 4] }, settings);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, param: 'items', message: 'items: at most 3 items are accepted, got 4 (--max-tools).' });
    expect(() => checkItemLimits(Outer, { pair: [1, 2, 3] }, settings)).toThrow('pair: at most 2 items are accepted, got 3.');
  });
});
