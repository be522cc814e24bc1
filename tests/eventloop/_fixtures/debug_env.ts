// Prints whether a new loop starts in debug mode (ASYNCIO_DEBUG switch).
import { newEventLoop } from "../../../eventloop/mod.ts";

const loop = newEventLoop();
console.log(JSON.stringify({ debug: loop.getDebug() }));
loop.close();
