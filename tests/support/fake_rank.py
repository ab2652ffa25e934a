"""A stand-in for a framework's rank_main, for the scale probe's rank launcher: no framework, a behaviour on request."""

import os
import time


def rank_main(request):
    behaviour = request.get("behaviour", "ok")
    rank, world = int(os.environ["FAKE_RANK"]), request["world"]
    if behaviour == "hang" and world == 2 and rank == 1:
        time.sleep(3600)
    if behaviour == "env":
        return {"tf_config": os.environ.get("TF_CONFIG")}
    if behaviour == "fail":
        raise RuntimeError("the engine refused\nsecond line\nthe last line says why")
    # Two processes take 1.6 times as long per step as one: 80% scaling efficiency.
    timed_s = 1.0 if world == 1 else 1.25
    return {"first_step_at_s": 0.5 * world, "timed_s": timed_s, "steps": 10, "samples": 10 * request["batch_size"]}
