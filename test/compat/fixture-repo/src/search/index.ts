export const search = (q: string): string => "/search?q=" + q;
