import biothings
import config

biothings.config_for_app(config)

import biothings.hub.dataload.uploader

try:
    from pharmgkb.parser import load_annotations
except ImportError:
    from .parser import load_annotations


class AnnotationsUploader(biothings.hub.dataload.uploader.BaseSourceUploader):
    main_source = "pharmgkb"
    name = "annotations"
    __metadata__ = {"src_meta": {"url": "https://www.pharmgkb.org", "license_url": "https://www.pharmgkb.org/page/dataUsagePolicy"}}
    idconverter = None

    def load_data(self, data_folder):
        self.logger.info("Load data from directory: '%s'" % data_folder)
        return load_annotations(data_folder)

    @classmethod
    def get_mapping(klass):
        return {"annotations": {"properties": {"gene": {"type": "text"}}}}
