import { InvalidArgumentError } from 'commander';

export function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function positiveInt(max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`expected a whole number from 1 to ${max}`);
    return n;
  };
}
