import { ThrottlerStorageService } from '@nestjs/throttler';
import { QueueThrottlerStorage } from './throttler-storage';

/** Differential test: the O(1) store answers exactly like @nestjs/throttler's default store. */
describe('QueueThrottlerStorage', () => {
  let now = 1_700_000_000_000;
  beforeEach(() => jest.spyOn(Date, 'now').mockImplementation(() => now));
  afterEach(() => jest.restoreAllMocks());

  it.each([
    ['with a block after the limit', 1_000],
    ['without a block', 0],
  ])('gives the same answers as the default store %s', async (_name, blockDuration) => {
    const reference = new ThrottlerStorageService();
    const store = new QueueThrottlerStorage();
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let blocked = 0;
    for (let i = 0; i < 4000; i++) {
      now += Math.floor(rand() * (rand() < 0.05 ? 3000 : 40));
      const key = rand() < 0.8 ? 'client:a' : 'client:b';
      const expected = await reference.increment(key, 2_000, 50, blockDuration, 'default');
      const actual = await store.increment(key, 2_000, 50, blockDuration);
      expect(actual).toEqual(expected);
      if (actual.isBlocked) blocked++;
    }
    expect(blocked).toBeGreaterThan(10);
    reference.onApplicationShutdown();
    store.onApplicationShutdown();
  });
});
