export function handler(): void {}
