import { getMetadataStorage, IsInt, IsString, Min, validateSync } from 'class-validator';
import { keepValidationMetadataLookups } from './validation-metadata';

const problems = (o: object) => validateSync(o).map((e) => `${e.property}: ${Object.keys(e.constraints ?? {}).join(',')}`);

describe('keeping class-validator metadata lookups', () => {
  beforeAll(() => keepValidationMetadataLookups());

  it('finds the same rules, inherited ones included, however often a class is validated', () => {
    class Base {
      @IsString() name: unknown;
    }
    class Sub extends Base {
      @IsInt() @Min(1) count: unknown;
    }
    const bad = Object.assign(new Sub(), { name: 7, count: 0 });
    const good = Object.assign(new Sub(), { name: 'x', count: 2 });
    for (let i = 0; i < 3; i++) {
      expect(problems(bad)).toEqual(['count: min', 'name: isString']);
      expect(problems(good)).toEqual([]);
    }
  });

  it('sees rules added after a class was looked up, to it or to a class it extends', () => {
    class Parent {
      @IsString() name: unknown;
    }
    class Child extends Parent {}
    const child = Object.assign(new Child(), { name: 'x', late: 'no' });
    expect(problems(child)).toEqual([]);
    // A rule added to the parent later (as a class defined later adds its own).
    IsInt()(Parent.prototype, 'late');
    expect(problems(child)).toEqual(['late: isInt']);
  });

  it('gives each caller a list of its own', () => {
    class Thing {
      @IsString() name: unknown;
    }
    const storage = getMetadataStorage();
    const first = storage.getTargetValidationMetadatas(Thing, '', true, false);
    first.length = 0;
    expect(storage.getTargetValidationMetadatas(Thing, '', true, false)).toHaveLength(1);
  });
});
