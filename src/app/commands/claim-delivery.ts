/**
 * A webhook delivery is handled once, and never lost. The process handling a
 * command holds a claim on its delivery id, renewed while it works, and marks
 * it done only once the command's run or reply exists. A redelivery of a done
 * delivery is ignored; a redelivery of an unfinished one (its process died,
 * its handler failed) takes the command again: at once when the claim was
 * given back or its holder's process is gone from this host, else once the
 * claim expires. Meanwhile it waits: GitHub's ten seconds pass (Probot then
 * answers 202), the command is not dropped.
 */
import type { Logger } from "pino";
import type { Store } from "../../store/index.js";
import { backgroundTimers, repeatEvery, sleep, systemClock, type Clock, type Timers } from "../../time.js";
import { isGoneLocalHolder, localProcess, newStepHolder } from "../steps/run-lease.js";

/** How long a claim lasts unrenewed: a dead handler's command is taken again after this. */
export const DELIVERY_CLAIM_TTL_MS = 30_000;
/** How often a redelivery looks again at a claim another handler holds. */
const BUSY_POLL_MS = 1_000;
/** How long a redelivery waits for a live handler of the same delivery before leaving it to that handler. */
const BUSY_WAIT_MS = 10 * 60_000;

/** A claimed delivery: mark it done once the run or reply exists, or give it back when handling failed. */
export interface ClaimedDelivery {
  done(): Promise<void>;
  giveBack(): Promise<void>;
}

export interface ClaimDeliveryOptions {
  store: Pick<Store, "deliveries">;
  processId: string;
  deliveryId: string;
  name: string;
  log: Logger;
  timers?: Timers;
  clock?: Clock;
}

/** Claims the delivery; null when it was handled before (or a live handler kept it past the wait). */
export async function claimDelivery(options: ClaimDeliveryOptions): Promise<ClaimedDelivery | null> {
  const { store, deliveryId, log } = options;
  const timers = options.timers ?? backgroundTimers;
  const clock = options.clock ?? systemClock;
  const holder = newStepHolder(options.processId);
  const self = localProcess(options.processId);
  const deadline = clock.now() + BUSY_WAIT_MS;
  let waited = false;
  for (;;) {
    const claim = await store.deliveries.claim(deliveryId, options.name, holder, DELIVERY_CLAIM_TTL_MS);
    if (claim.state === "done") return null;
    if (claim.state === "claimed") break;
    if (isGoneLocalHolder(claim.holder, self) && (await store.deliveries.takeOver(deliveryId, claim.holder, holder, DELIVERY_CLAIM_TTL_MS))) break;
    if (clock.now() > deadline) {
      log.warn({ delivery: deliveryId }, "another handler still works on this delivery; leaving it to that handler");
      return null;
    }
    if (!waited) log.info({ delivery: deliveryId, holder: claim.holder }, "delivery being handled elsewhere; waiting for that handler to finish or lapse");
    waited = true;
    await sleep(BUSY_POLL_MS, { timers });
  }
  if (waited) log.info({ delivery: deliveryId }, "unfinished delivery taken over");
  const renewal = repeatEvery(
    Math.floor(DELIVERY_CLAIM_TTL_MS / 3),
    () => void store.deliveries.renew(deliveryId, holder, DELIVERY_CLAIM_TTL_MS).catch((error: unknown) => log.warn({ err: error, delivery: deliveryId }, "could not renew the delivery's claim")),
    timers,
  );
  return {
    async done() {
      renewal.stop();
      await store.deliveries.complete(deliveryId, holder);
    },
    async giveBack() {
      renewal.stop();
      await store.deliveries.release(deliveryId, holder).catch((error: unknown) => log.warn({ err: error, delivery: deliveryId }, "could not give the delivery's claim back; it lapses by itself"));
    },
  };
}
