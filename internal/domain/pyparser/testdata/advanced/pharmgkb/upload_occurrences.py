import biothings
import config

biothings.config_for_app(config)

import biothings.hub.dataload.uploader

try:
    from pharmgkb.parser import load_occurrences
except ImportError:
    from .parser import load_occurrences


class OccurrencesUploader(biothings.hub.dataload.uploader.BaseSourceUploader):
    main_source = "pharmgkb"
    name = "occurrences"
    __metadata__ = {"src_meta": {"url": "https://www.pharmgkb.org", "license_url": "https://www.pharmgkb.org/page/dataUsagePolicy"}}
    idconverter = None

    def load_data(self, data_folder):
        self.logger.info("Load data from directory: '%s'" % data_folder)
        return load_occurrences(data_folder)

    @classmethod
    def get_mapping(klass):
        return {"occurrences": {"properties": {"gene": {"type": "text"}}}}
