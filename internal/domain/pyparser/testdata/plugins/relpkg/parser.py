from .helper import PREFIX


def load_data(data_folder):
    yield {"_id": PREFIX + "1"}
