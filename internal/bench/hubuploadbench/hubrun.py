"""Runs one upload through BioThings' own hub, for hubuploadbench.

The hub is assembled as biothings.hub.HubServer assembles it (a JobManager,
a DumperManager, an UploaderManager, a DataPluginManager and an
AssistantManager), from the config module in APPDIR. The AssistantManager
auto-registers the plugin folder it finds in DATA_PLUGIN_FOLDER, as a hub
does at start, and its manifest loader generates the uploader class. Then
src_dump gets the record a successful dump leaves, and
UploaderManager.upload_src runs the upload as the hub's "upload" command
does: BaseSourceUploader.load, whose update_data runs load_data and the
storage class in a worker process of the JobManager, then switches the
temp collection live.

    python hubrun.py hub APPDIR PLUGIN DATAFOLDER BATCH RESULT.json
    python hubrun.py parse PLUGINDIR MODULE:FUNC DATAFOLDER RESULT.json

"parse" runs the plugin's parser alone with the installed biothings
package, draining the generator: the floor of both uploads.

Timings are taken here, around the steps, and written as JSON to RESULT.
"""

import asyncio
import json
import os
import resource
import sys
import time
import traceback


def write(path, result):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f, default=str)


def run_hub(appdir, plugin, datafolder, batch, result_path):
    result = {"stage": "import biothings.hub (reads the config module)"}
    t0 = time.perf_counter()
    try:
        sys.path.insert(0, appdir)
        import biothings.hub  # noqa: F401  reads config.py, connects the hub db
        from biothings import config
        from biothings.hub.dataload.dumper import DumperManager
        from biothings.hub.dataload.uploader import UploaderManager
        from biothings.hub.dataplugin.manager import AssistantManager, DataPluginManager
        from biothings.utils.common import get_loop
        from biothings.utils.hub_db import get_src_dump
        from biothings.utils.manager import JobManager

        result["import_s"] = time.perf_counter() - t0

        result["stage"] = "managers (biothings.hub.HubServer.configure_*_manager)"
        t1 = time.perf_counter()
        loop = get_loop()
        job_manager = JobManager(loop, num_workers=config.HUB_MAX_WORKERS, max_memory_usage=config.HUB_MAX_MEM_USAGE)
        dump_manager = DumperManager(job_manager=job_manager)
        upload_manager = UploaderManager(job_manager=job_manager, poll_schedule="* * * * * */10")
        dp_manager = DataPluginManager(job_manager=job_manager)
        assistant_manager = AssistantManager(
            data_plugin_manager=dp_manager,
            dumper_manager=dump_manager,
            uploader_manager=upload_manager,
            job_manager=job_manager,
        )
        assistant_manager.configure()

        async def main():
            result["stage"] = "AssistantManager.load: register local://%s and load its manifest" % plugin
            assistant_manager.load(autodiscover=True)
            deadline = time.monotonic() + 120
            while not upload_manager.register:
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        "the hub registered no uploader for plugin folder %s within 120s: see the loader log in %s"
                        % (os.path.join(config.DATA_PLUGIN_FOLDER, plugin), config.LOG_FOLDER)
                    )
                await asyncio.sleep(0.02)
            sources = sorted(upload_manager.register)
            result["sources"] = sources
            result["uploader_classes"] = [
                {
                    "class": k.__name__,
                    "mro": [c.__module__ + "." + c.__qualname__ for c in k.__mro__[1:] if c is not object],
                    "storage_class": "%s.%s" % (k.storage_class.__module__, k.storage_class.__qualname__),
                }
                for src in sources
                for k in upload_manager.register[src]
            ]
            result["start_s"] = time.perf_counter() - t1
            src = sources[0]

            # What a successful dump leaves in src_dump (see
            # biothings.hub.dataload.dumper.BaseDumper.register_status).
            get_src_dump().update_one(
                {"_id": src},
                {"$set": {"download": {"status": "success", "data_folder": datafolder, "release": "bench"}}},
                upsert=True,
            )

            result["stage"] = "UploaderManager.upload_src(%r, batch_size=%d)" % (src, batch)
            t2 = time.perf_counter()
            jobs = upload_manager.upload_src(src, batch_size=batch)
            await asyncio.gather(*jobs)
            result["upload_s"] = time.perf_counter() - t2

            doc = get_src_dump().find_one({"_id": src}) or {}
            job = doc.get("upload", {}).get("jobs", {}).get(src, {})
            result["status"] = job.get("status")
            result["count"] = job.get("count")
            result["err"] = job.get("err")
            result["collection"] = job.get("step")
            result["database"] = config.DATA_SRC_DATABASE

        loop.run_until_complete(main())
        result["stage"] = "shutting the job manager's pools down"
        job_manager.process_queue.shutdown(wait=True)
        job_manager.thread_queue.shutdown(wait=True)
        result["stage"] = "done"
        # The worker processes count once they have been waited for.
        result["worker_maxrss_kib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        result["hub_maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except BaseException as exc:  # the benchmark reports it, naming the stage
        result["error"] = "%s: %s" % (type(exc).__name__, exc)
        result["traceback"] = traceback.format_exc()
        write(result_path, result)
        return 2
    write(result_path, result)
    return 0


def run_parse(plugindir, func, datafolder, result_path):
    result = {"stage": "import %s" % func}
    try:
        sys.path.insert(0, plugindir)
        mod, name = func.split(":")
        t0 = time.perf_counter()
        import importlib

        load = getattr(importlib.import_module(mod), name)
        import biothings

        result["biothings"] = biothings.__version__
        result["import_s"] = time.perf_counter() - t0
        result["stage"] = "%s(%r)" % (func, datafolder)
        t0 = time.perf_counter()
        n = 0
        for _ in load(datafolder):
            n += 1
        result["parse_s"] = time.perf_counter() - t0
        result["count"] = n
        result["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except BaseException as exc:
        result["error"] = "%s: %s" % (type(exc).__name__, exc)
        result["traceback"] = traceback.format_exc()
        write(result_path, result)
        return 2
    write(result_path, result)
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "hub":
        sys.exit(run_hub(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]))
    if len(sys.argv) == 6 and sys.argv[1] == "parse":
        sys.exit(run_parse(*sys.argv[2:6]))
    sys.exit(__doc__)
