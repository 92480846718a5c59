export const invoices = (): string => "/billing/invoices";
