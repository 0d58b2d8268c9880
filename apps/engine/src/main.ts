import { SystemClock } from '@lethe/clock';
console.log(new SystemClock().now().toISOString());
